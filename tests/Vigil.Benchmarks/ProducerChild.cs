using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Vigil.Contracts.Telemetry;
using Vigil.SchemaRegistry;

namespace Vigil.Benchmarks;

/// <summary>
/// The load of the topology benchmark, in a process of its own so its CPU is not counted as the broker's: replays the
/// simulated events (cycling) at the rate given on stdin ("rate N"), each stamped with the wall-clock time it is sent,
/// so an alert's last_event_time tells the event→alert latency. "count" prints how many were sent. Each pass over the
/// events gets event ids and process entity ids of its own (the id plus "-p" and the pass), as a fleet's new processes
/// would: a replayed scenario raises a new alert instead of a repeat the correlators rightly drop, by its alert id
/// (from the event ids) or by its rule's alert suppression (most rules group by host.id and process.entity_id for 15
/// minutes, longer than a benchmark runs).
/// </summary>
/// <remarks>
/// Every event is encoded once, before the first rate, into the framed record Vigil's producer writes, with a
/// placeholder for its @timestamp and its pass; sending one patches those bytes in place and hands the record to
/// librdkafka, which copies it. Encoding each event as it was sent cost the producer about 15 µs of CPU per event,
/// taken from the consumers it was meant to load on a 2-core machine (docs/latency.md).
/// </remarks>
internal static class ProducerChild
{
    /// <summary>The pass written into an event's ids, as this many decimal digits (the producer stops at 10^5 passes).</summary>
    private const int PassDigits = 5;
    private const int PassLimit = 100_000;

    /// <summary>The suffix of every id a pass rewrites, with the pass as zeros: "-p" and <see cref="PassDigits"/> digits.</summary>
    private const string PassMarker = "-p00000";

    /// <summary>A varint of 9 bytes holds 2^56..2^63-1: Unix nanoseconds from 2002 to 2262, so "now" always fits.</summary>
    private const int TimestampBytes = 9;

    public static async Task<int> RunAsync(string bootstrap, string topic, string eventsFile, int lingerMs)
    {
        var records = Encode(EventFile.Read(eventsFile));
        // "records bytes", replaced whole by the statistics thread (a reference, so the reader never sees half of it).
        var wire = "0 0";
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = lingerMs,
            CompressionType = CompressionType.Lz4,
            Partitioner = Partitioner.Murmur2Random,
            // Nothing here waits for a record's delivery: the benchmark reads what arrived from the broker's offsets.
            // Errors still reach the error handler below.
            EnableDeliveryReports = false,
            // The records and bytes it sent to the brokers (librdkafka's txmsgs and tx_bytes), for "wire": the bytes a
            // record takes on the broker after lz4 in these batches, which sets how many records the mock broker's
            // 5 MiB per partition keeps.
            StatisticsIntervalMs = 1000,
        }).SetErrorHandler((_, e) => Console.Error.WriteLine($"producer: {e.Code} {e.Reason}"))
            .SetStatisticsHandler((_, json) => wire = Wire(json))
            .Build();
        var rate = 0.0;
        long sent = 0;
        long sentAtRate = 0;
        var rateSince = Stopwatch.GetTimestamp();
        var stop = false;
        var reader = Task.Run(async () =>
        {
            string? line;
            while ((line = await Console.In.ReadLineAsync()) is not null && line != "stop")
            {
                if (line.StartsWith("rate ", StringComparison.Ordinal))
                {
                    rate = double.Parse(line[5..], CultureInfo.InvariantCulture);
                    Interlocked.Exchange(ref sentAtRate, 0);
                    rateSince = Stopwatch.GetTimestamp();
                }
                else if (line == "count")
                {
                    Console.WriteLine($"count {Interlocked.Read(ref sent)}");
                }
                else if (line == "wire")
                {
                    Console.WriteLine($"wire {wire}");
                }
            }

            stop = true;
        });
        Console.WriteLine("started");
        var next = 0;
        var pass = 0;
        Span<byte> passDigits = stackalloc byte[PassDigits];
        WritePass(passDigits, pass);
        Span<byte> stamp = stackalloc byte[TimestampBytes];
        while (!stop)
        {
            var due = (long)(rate * Stopwatch.GetElapsedTime(rateSince).TotalSeconds) - sentAtRate;
            if (due <= 0)
            {
                Thread.Sleep(1);
                continue;
            }

            for (var i = 0; i < due; i++)
            {
                var record = records[next];
                var value = record.Message.Value;
                WriteTimestamp(stamp, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000);
                stamp.CopyTo(value.AsSpan(record.TimestampAt));
                foreach (var at in record.PassAt)
                {
                    passDigits.CopyTo(value.AsSpan(at));
                }
                if (++next == records.Length)
                {
                    next = 0;
                    WritePass(passDigits, ++pass);
                }

                while (true)
                {
                    try
                    {
                        producer.Produce(topic, record.Message);
                        break;
                    }
                    catch (ProduceException<byte[], byte[]> x) when (x.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(5));
                    }
                }

                Interlocked.Increment(ref sent);
                sentAtRate++;
            }

            producer.Poll(TimeSpan.Zero);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        await reader;
        return 0;
    }

    /// <summary>librdkafka's totals in a statistics line: records sent to the brokers and bytes sent (produce requests, lz4 batches).</summary>
    private static string Wire(string json)
    {
        using var stats = System.Text.Json.JsonDocument.Parse(json);
        return $"{stats.RootElement.GetProperty("txmsgs").GetInt64()} {stats.RootElement.GetProperty("tx_bytes").GetInt64()}";
    }

    /// <summary>
    /// Each event as the framed record Vigil's producer writes (the codec's framing, the host id as key), with its
    /// @timestamp (field 1, the payload's first field) a 9-byte varint and its event id and every process entity id in
    /// it (process, parents, leaders, effective parent, ancestry) ending in "-p" and <see cref="PassDigits"/> digits,
    /// and where those bytes are.
    /// </summary>
    private static Record[] Encode(List<TelemetryEvent> events)
    {
        var codec = new ProtobufRecordCodec<TelemetryEvent>(1);
        var placeholder = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var marker = Encoding.UTF8.GetBytes(PassMarker);
        var records = new Record[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var id = e.Event.Id;
            e.Event.Id = id + PassMarker;
            var ids = 1 + MarkEntityIds(e);
            e.Timestamp = placeholder;
            var value = codec.Encode(e);
            var timestampAt = value.Length - e.CalculateSize() + 1;
            if (value[timestampAt - 1] != 0x08 || (value[timestampAt + TimestampBytes - 2] & 0x80) == 0 || (value[timestampAt + TimestampBytes - 1] & 0x80) != 0)
            {
                throw new InvalidOperationException($"event {i}: @timestamp is not the payload's first field as a {TimestampBytes}-byte varint");
            }

            var passAt = new List<int>(ids);
            for (var at = value.AsSpan().IndexOf(marker); at >= 0; at = NextIndexOf(value, marker, at + marker.Length))
            {
                passAt.Add(at + 2);
            }

            // More would be a value of the event's own that looks like a placeholder, which a pass would overwrite.
            if (passAt.Count != ids)
            {
                throw new InvalidOperationException($"event {i}: {passAt.Count} \"{PassMarker}\" in its record, not one per id ({ids})");
            }

            records[i] = new Record(
                new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(e.Host.Id), Value = value },
                timestampAt,
                [.. passAt]);
            if (i % 1000 == 0 || (ids > 1 && i % 100 == 0))
            {
                Check(codec, records[i], id);
            }
        }

        return records;
    }

    private static int NextIndexOf(byte[] value, byte[] marker, int from)
    {
        var at = value.AsSpan(from).IndexOf(marker);
        return at < 0 ? -1 : from + at;
    }

    /// <summary>
    /// Appends <see cref="PassMarker"/> to every non-empty process entity id in <paramref name="message"/> (the
    /// entity_id of each Process message, at any depth, and process.Ext.ancestry): returns how many.
    /// </summary>
    private static int MarkEntityIds(IMessage message)
    {
        var marked = 0;
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.IsMap)
            {
                continue; // string maps (labels and the like): no entity ids
            }

            var value = field.Accessor.GetValue(message);
            if (field.FieldType == FieldType.Message)
            {
                if (field.IsRepeated)
                {
                    foreach (var item in (System.Collections.IList)value)
                    {
                        marked += MarkEntityIds((IMessage)item);
                    }
                }
                else if (value is IMessage nested && field.Accessor.HasValue(message))
                {
                    marked += MarkEntityIds(nested);
                }
            }
            else if (field.FieldType == FieldType.String && IsEntityId(message.Descriptor, field))
            {
                if (field.IsRepeated)
                {
                    var list = (IList<string>)value;
                    for (var j = 0; j < list.Count; j++)
                    {
                        if (list[j].Length > 0)
                        {
                            list[j] += PassMarker;
                            marked++;
                        }
                    }
                }
                else if (value is string { Length: > 0 } entityId)
                {
                    field.Accessor.SetValue(message, entityId + PassMarker);
                    marked++;
                }
            }
        }

        return marked;
    }

    private static bool IsEntityId(MessageDescriptor message, FieldDescriptor field) =>
        (message == Vigil.Contracts.Telemetry.Process.Descriptor && field.FieldNumber == Vigil.Contracts.Telemetry.Process.EntityIdFieldNumber)
        || (message == ProcessExt.Descriptor && field.FieldNumber == ProcessExt.AncestryFieldNumber);

    /// <summary>
    /// A patched record must decode as the event with that @timestamp and pass in its event id and each entity id:
    /// checked on a sample before any step, so a change to the contract or the framing fails here instead of measuring
    /// wrong latencies or replaying ids.
    /// </summary>
    private static void Check(ProtobufRecordCodec<TelemetryEvent> codec, Record record, string id)
    {
        var value = record.Message.Value;
        var original = value.ToArray();
        var nanos = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 + 1;
        Span<byte> bytes = stackalloc byte[TimestampBytes];
        WriteTimestamp(bytes, nanos);
        bytes.CopyTo(value.AsSpan(record.TimestampAt));
        Span<byte> pass = stackalloc byte[PassDigits];
        WritePass(pass, 4_321);
        foreach (var at in record.PassAt)
        {
            pass.CopyTo(value.AsSpan(at));
        }

        var decoded = codec.Decode(value);
        var suffix = "-p04321";
        if (decoded.Timestamp != nanos || decoded.Event.Id != id + suffix)
        {
            throw new InvalidOperationException($"a patched record decodes as @timestamp {decoded.Timestamp} and id {decoded.Event.Id}, not {nanos} and {id}{suffix}");
        }

        var unmarked = MarkEntityIds(decoded.Clone()) - EntityIdsEndingIn(decoded, suffix);
        if (unmarked != 0)
        {
            throw new InvalidOperationException($"a patched record of event {id} has {unmarked} entity ids without the pass {suffix}");
        }

        original.CopyTo(value, 0);
    }

    /// <summary>How many of <paramref name="message"/>'s entity ids end in <paramref name="suffix"/>.</summary>
    private static int EntityIdsEndingIn(IMessage message, string suffix)
    {
        var count = 0;
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.IsMap)
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            if (field.FieldType == FieldType.Message)
            {
                if (field.IsRepeated)
                {
                    foreach (var item in (System.Collections.IList)value)
                    {
                        count += EntityIdsEndingIn((IMessage)item, suffix);
                    }
                }
                else if (value is IMessage nested && field.Accessor.HasValue(message))
                {
                    count += EntityIdsEndingIn(nested, suffix);
                }
            }
            else if (field.FieldType == FieldType.String && IsEntityId(message.Descriptor, field))
            {
                var values = field.IsRepeated ? ((IList<string>)value).ToList() : [(string)value];
                count += values.Count(v => v.EndsWith(suffix, StringComparison.Ordinal));
            }
        }

        return count;
    }

    private static void WriteTimestamp(Span<byte> destination, long nanos)
    {
        var v = (ulong)nanos;
        for (var i = 0; i < TimestampBytes - 1; i++)
        {
            destination[i] = (byte)(v | 0x80);
            v >>= 7;
        }

        destination[TimestampBytes - 1] = (byte)v;
    }

    private static void WritePass(Span<byte> destination, int pass)
    {
        // A wrapped pass number would repeat ids, which the correlators drop as repeats: stop rather than
        // measure a workload that silently shrank.
        if (pass >= PassLimit)
        {
            throw new InvalidOperationException(
                $"The load producer replayed its workload {pass:N0} times; event ids carry only {PassDigits} pass digits.");
        }

        var p = pass;
        for (var i = PassDigits - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (p % 10));
            p /= 10;
        }
    }

    /// <summary>An encoded event: where its @timestamp is, and where the pass digits of each of its ids are.</summary>
    private sealed record Record(Message<byte[], byte[]> Message, int TimestampAt, int[] PassAt);
}
