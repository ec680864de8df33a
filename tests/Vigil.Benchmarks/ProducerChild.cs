using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Vigil.Contracts.Telemetry;
using Vigil.SchemaRegistry;

namespace Vigil.Benchmarks;

/// <summary>
/// The load of the topology benchmark, in a process of its own so its CPU is not counted as the broker's: replays the
/// simulated events (cycling) at the rate given on stdin ("rate N"), each stamped with the wall-clock time it is sent,
/// so an alert's last_event_time tells the event→alert latency. "count" prints how many were sent. Each pass over the
/// events after the first suffixes their event ids with the pass, so a replayed scenario raises a new alert instead of a
/// repeat the correlators would rightly drop.
/// </summary>
internal static class ProducerChild
{
    public static async Task<int> RunAsync(string bootstrap, string topic, string eventsFile, int lingerMs)
    {
        var events = EventFile.Read(eventsFile);
        // Each event is stamped in place and encoded: a deep copy per send only added to the load producer's CPU.
        var ids = events.Select(e => e.Event.Id).ToArray();
        var codec = new ProtobufRecordCodec<TelemetryEvent>(1);
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = lingerMs,
            CompressionType = CompressionType.Lz4,
            Partitioner = Partitioner.Murmur2Random,
        }).Build();
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
            }

            stop = true;
        });
        Console.WriteLine("started");
        var next = 0;
        var pass = 0;
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
                var stamped = events[next];
                stamped.Event.Id = pass > 0 ? string.Create(CultureInfo.InvariantCulture, $"{ids[next]}-p{pass}") : ids[next];

                if (++next == events.Count)
                {
                    next = 0;
                    pass++;
                }

                stamped.Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
                while (true)
                {
                    try
                    {
                        producer.Produce(topic, new Message<string, byte[]> { Key = stamped.Host.Id, Value = codec.Encode(stamped) });
                        break;
                    }
                    catch (ProduceException<string, byte[]> x) when (x.Error.Code == ErrorCode.Local_QueueFull)
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
}
