using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// One record taken from librdkafka's consumer queue, as the consume loop gathers it: where it came from, its key and
/// timestamp, and its value as the decoder left it. <see cref="Headers"/> are read only for an undecodable record whose
/// copy is dead-lettered (the copy keeps the original headers); <see cref="Topic"/> is null when the loop reads one topic.
/// </summary>
internal readonly record struct PolledRecord<T>(string? Topic, int Partition, long Offset, string? Key, Timestamp Timestamp, DecodedValue<T> Value, Headers? Headers);

/// <summary>What one poll of the consumer queue gave.</summary>
internal enum PollOutcome
{
    /// <summary>A record.</summary>
    Record,

    /// <summary>No record within the timeout (or only an end-of-partition notice).</summary>
    None,

    /// <summary>A consume error the loop logged and goes on after (never returned by <see cref="DirectConsumer{T}"/>, which throws).</summary>
    Failed,
}

/// <summary>
/// The consume loop's direct line to librdkafka. <see cref="Poll"/> takes records from the consumer queue without the
/// objects Confluent's <c>Consume</c> builds for every record
/// (its result, message, topic-partition-offset and headers objects, and a reflection-based copy of librdkafka's message
/// struct: about half of what consume+decode allocated per event, see docs/performance.md "Thirteenth round"). It calls
/// the same librdkafka functions, bound to the same native library, on the same handle, in the same order as
/// <c>Consume</c> does (poll, read the message, deserialize key then value with the loop's <see cref="RecordReader{T}"/>,
/// destroy the message), so rebalance, error, log and offset-commit callbacks run exactly as they did, inside the poll.
/// <see cref="StoreOffsets"/> stores a batch's offsets in one call where Confluent's <c>StoreOffset</c> takes one
/// partition per call, each with its own lists and a reflection-based copy of the result.
/// </summary>
/// <remarks>
/// Confluent.Kafka does not expose the client's native handle nor its bound librdkafka functions, so both are taken
/// from its internals by reflection, once per consumer. When they are not where Confluent.Kafka 2.16 keeps them (another
/// version), <see cref="TryCreate"/> says why and the loop consumes through <c>Consume</c> as before: slower, never
/// different, and logs a warning saying why. The Kafka integration test "Records are read straight from librdkafka with
/// the Confluent.Kafka version Vigil pins" fails when an upgrade moves them, so the fallback is never silent. The handle
/// is used, as Confluent uses it, only on the loop's thread, which also closes and disposes the consumer.
/// </remarks>
internal sealed unsafe class DirectConsumer<T>
{
    private readonly SafeHandle handle;
    private readonly IntPtr kafka;
    private readonly RecordReader<T> reader;

    /// <summary>The bound librdkafka functions (read once: the lazy binding's check stays off the per-record path).</summary>
    private readonly Librdkafka functions;
    private readonly bool topicNames;
    private readonly bool headers;
    private readonly Dictionary<byte[], string> topics = new(KeyBytesComparer.Instance);

    private DirectConsumer(SafeHandle handle, RecordReader<T> reader, bool topicNames, bool headers)
    {
        this.handle = handle;
        kafka = handle.DangerousGetHandle();
        this.reader = reader;
        functions = Librdkafka.Functions!;
        this.topicNames = topicNames;
        this.headers = headers;
    }

    /// <summary>
    /// A direct reader of <paramref name="consumer"/>'s queue, or null (with the reason) when this Confluent.Kafka does not
    /// keep its handle and librdkafka functions where Vigil looks for them.
    /// </summary>
    /// <param name="topicNames">Whether records carry their topic's name (the loop reads several topics).</param>
    /// <param name="headers">Whether an undecodable record's headers are read (its copy is dead-lettered).</param>
    public static DirectConsumer<T>? TryCreate(IConsumer<string?, DecodedValue<T>> consumer, RecordReader<T> reader, bool topicNames, bool headers, out string? reason)
    {
        try
        {
            reason = Librdkafka.Unbound;
            if (Librdkafka.Functions is null)
            {
                return null;
            }

            var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
            if (property?.GetValue(consumer.Handle) is not SafeHandle native || native.IsInvalid)
            {
                reason = "Confluent.Kafka's Handle has no LibrdkafkaHandle";
                return null;
            }

            return new DirectConsumer<T>(native, reader, topicNames, headers);
        }
        catch (Exception e)
        {
            // Whatever another Confluent.Kafka does differently, the loop consumes through Consume: slower, never down.
            reason = "Confluent.Kafka's Handle could not be read: " + e.Message;
            return null;
        }
    }

    /// <summary>
    /// The next record within <paramref name="timeout"/>, or <see cref="PollOutcome.None"/>. A record librdkafka hands over
    /// with an error throws the <see cref="ConsumeException"/> Confluent's <c>Consume</c> throws for it.
    /// </summary>
    public PollOutcome Poll(TimeSpan timeout, out PolledRecord<T> record)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        // As Confluent converts its timeout (whole milliseconds, truncated).
        var message = functions.ConsumerPoll(kafka, (IntPtr)(int)timeout.TotalMilliseconds);
        if (message == IntPtr.Zero)
        {
            record = default;
            return PollOutcome.None;
        }

        try
        {
            ref readonly var m = ref *(RdKafkaMessage*)message;
            var topic = topicNames && m.Topic != IntPtr.Zero ? TopicName(functions.TopicName(m.Topic)) : null;
            if (m.Error == ErrorCode.Local_PartitionEOF)
            {
                // Vigil's consumers never ask for end-of-partition notices (enable.partition.eof=false): nothing to gather.
                record = default;
                return PollOutcome.None;
            }

            var milliseconds = functions.MessageTimestamp(message, out var type);
            var timestamp = new Timestamp(milliseconds, (TimestampType)type);
            if (m.Error != ErrorCode.NoError)
            {
                throw new ConsumeException(
                    new ConsumeResult<byte[]?, byte[]?>
                    {
                        TopicPartitionOffset = new TopicPartitionOffset(topic, m.Partition, m.Offset),
                        Message = new Message<byte[]?, byte[]?>
                        {
                            Timestamp = timestamp,
                            Headers = headers ? Headers(message) : null,
                            Key = Copy(m.Key, m.KeyLength),
                            Value = Copy(m.Payload, m.Length),
                        },
                    },
                    m.Error == ErrorCode.Local_Fatal ? functions.FatalError(kafka) : new Error(m.Error));
            }

            // Key first, then value: the reader keeps the key's bytes for a value it refuses, as under Consume.
            var key = ((IDeserializer<string?>)reader).Deserialize(Span(m.Key, m.KeyLength), m.Key == IntPtr.Zero, default);
            var value = ((IDeserializer<DecodedValue<T>>)reader).Deserialize(Span(m.Payload, m.Length), m.Payload == IntPtr.Zero, default);
            var copied = headers && value.Failure is not null ? Headers(message) : null;
            record = new PolledRecord<T>(topic, m.Partition, m.Offset, key, timestamp, value, copied);
            return PollOutcome.Record;
        }
        finally
        {
            functions.MessageDestroy(message);
        }
    }

    /// <summary>
    /// Stores the offsets of <paramref name="partitions"/> (each partition's next offset to read) in one call, and
    /// returns each partition's outcome in <paramref name="errors"/>, in order: <see cref="ErrorCode.Local_State"/> for
    /// a partition no longer assigned, as <c>StoreOffset</c> reports it.
    /// </summary>
    public void StoreOffsets(IReadOnlyList<TopicPartitionOffset> partitions, List<ErrorCode> errors)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        errors.Clear();
        if (partitions.Count == 0)
        {
            return;
        }

        var list = functions.PartitionListNew(partitions.Count);
        try
        {
            for (var i = 0; i < partitions.Count; i++)
            {
                functions.PartitionListAdd(list, partitions[i].Topic, partitions[i].Partition.Value);
            }

            // Set through the list's own array once every partition was added (an add may move it).
            var entries = new Span<RdKafkaTopicPartition>(((RdKafkaTopicPartitionList*)list)->Elements, partitions.Count);
            for (var i = 0; i < partitions.Count; i++)
            {
                entries[i].Offset = partitions[i].Offset.Value;
            }

            var overall = functions.OffsetsStore(kafka, list);
            var failed = false;
            foreach (ref readonly var entry in entries)
            {
                errors.Add(entry.Error);
                failed |= entry.Error != ErrorCode.NoError;
            }

            if (overall != ErrorCode.NoError && !failed)
            {
                throw new KafkaException(overall);
            }
        }
        finally
        {
            functions.PartitionListDestroy(list);
        }
    }

    private static ReadOnlySpan<byte> Span(IntPtr data, nuint length) => data == IntPtr.Zero ? [] : new ReadOnlySpan<byte>((void*)data, checked((int)length));

    private static byte[]? Copy(IntPtr data, nuint length) => data == IntPtr.Zero ? null : Span(data, length).ToArray();

    /// <summary>The topic's name, one string per topic (found by its bytes, as the reader finds keys).</summary>
    private string TopicName(IntPtr name)
    {
        var bytes = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)name);
        var lookup = topics.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(bytes, out var known))
        {
            return known;
        }

        var text = Encoding.UTF8.GetString(bytes);
        topics[bytes.ToArray()] = text;
        return text;
    }

    /// <summary>The message's headers, copied as Confluent copies them.</summary>
    private Headers Headers(IntPtr message)
    {
        var copied = new Headers();
        if (functions.MessageHeaders(message, out var list) != ErrorCode.NoError || list == IntPtr.Zero)
        {
            return copied;
        }

        for (var i = 0; functions.HeaderGetAll(list, i, out var name, out var value, out var size) == ErrorCode.NoError; i++)
        {
            copied.Add(Marshal.PtrToStringUTF8(name) ?? string.Empty, Copy(value, (nuint)size));
        }

        return copied;
    }

    /// <summary>librdkafka's <c>rd_kafka_topic_partition_list_t</c> (rdkafka.h), field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct RdKafkaTopicPartitionList
    {
        public readonly int Count;
        public readonly int Size;
        public readonly RdKafkaTopicPartition* Elements;
    }

    /// <summary>librdkafka's <c>rd_kafka_topic_partition_t</c> (rdkafka.h), field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RdKafkaTopicPartition
    {
        public IntPtr Topic;
        public int Partition;
        public long Offset;
        public IntPtr Metadata;
        public nuint MetadataSize;
        public IntPtr Opaque;
        public ErrorCode Error;
        public IntPtr Private;
    }

    /// <summary>librdkafka's <c>rd_kafka_message_t</c> (rdkafka.h), field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct RdKafkaMessage
    {
        public readonly ErrorCode Error;
        public readonly IntPtr Topic;
        public readonly int Partition;
        public readonly IntPtr Payload;
        public readonly nuint Length;
        public readonly IntPtr Key;
        public readonly nuint KeyLength;
        public readonly long Offset;
        public readonly IntPtr Private;
    }
}

/// <summary>
/// The librdkafka functions <see cref="DirectConsumer{T}"/> calls, taken from the delegates Confluent.Kafka bound when it
/// loaded librdkafka (so the very library and entry points its own <c>Consume</c> uses).
/// </summary>
internal sealed class Librdkafka
{
    private static readonly Lazy<(Librdkafka? Functions, string? Reason)> Bound = new(Bind);

    private Librdkafka(
        Func<IntPtr, IntPtr, IntPtr> consumerPoll,
        Action<IntPtr> messageDestroy,
        Func<IntPtr, IntPtr> topicName,
        TimestampFunction messageTimestamp,
        HeadersFunction messageHeaders,
        HeaderFunction headerGetAll,
        Func<IntPtr, StringBuilder, UIntPtr, ErrorCode> fatalError,
        Func<IntPtr, IntPtr> partitionListNew,
        Func<IntPtr, string, int, IntPtr> partitionListAdd,
        Action<IntPtr> partitionListDestroy,
        Func<IntPtr, IntPtr, ErrorCode> offsetsStore)
    {
        PartitionListNewFunction = partitionListNew;
        PartitionListAdd = partitionListAdd;
        PartitionListDestroy = partitionListDestroy;
        OffsetsStore = offsetsStore;
        ConsumerPoll = consumerPoll;
        MessageDestroy = messageDestroy;
        TopicName = topicName;
        MessageTimestamp = messageTimestamp;
        MessageHeaders = messageHeaders;
        HeaderGetAll = headerGetAll;
        FatalErrorFunction = fatalError;
    }

    public delegate long TimestampFunction(IntPtr message, out int type);

    public delegate ErrorCode HeadersFunction(IntPtr message, out IntPtr headers);

    public delegate ErrorCode HeaderFunction(IntPtr headers, IntPtr index, out IntPtr name, out IntPtr value, out IntPtr size);

    /// <summary>The bound functions; null when Confluent.Kafka does not keep them where Vigil looks (see <see cref="Unbound"/>).</summary>
    public static Librdkafka? Functions => Bound.Value.Functions;

    /// <summary>Why <see cref="Functions"/> is null.</summary>
    public static string? Unbound => Bound.Value.Reason;

    public Func<IntPtr, IntPtr, IntPtr> ConsumerPoll { get; }

    public Action<IntPtr> MessageDestroy { get; }

    public Func<IntPtr, IntPtr> TopicName { get; }

    public TimestampFunction MessageTimestamp { get; }

    public HeadersFunction MessageHeaders { get; }

    public HeaderFunction HeaderGetAll { get; }

    private Func<IntPtr, StringBuilder, UIntPtr, ErrorCode> FatalErrorFunction { get; }

    private Func<IntPtr, IntPtr> PartitionListNewFunction { get; }

    public Func<IntPtr, string, int, IntPtr> PartitionListAdd { get; }

    public Action<IntPtr> PartitionListDestroy { get; }

    public Func<IntPtr, IntPtr, ErrorCode> OffsetsStore { get; }

    public IntPtr PartitionListNew(int size) => PartitionListNewFunction(size);

    /// <summary>The client's fatal error, as Confluent reports it for a record that carries <see cref="ErrorCode.Local_Fatal"/>.</summary>
    public Error FatalError(IntPtr kafka)
    {
        var reason = new StringBuilder(512);
        var code = FatalErrorFunction(kafka, reason, (UIntPtr)reason.Capacity);
        return code == ErrorCode.NoError ? new Error(ErrorCode.Local_Fatal, null, true) : new Error(code, reason.ToString(), true);
    }

    private static (Librdkafka?, string?) Bind()
    {
        var type = typeof(Handle).Assembly.GetType("Confluent.Kafka.Impl.Librdkafka");
        if (type is null)
        {
            return (null, "Confluent.Kafka has no Confluent.Kafka.Impl.Librdkafka");
        }

        try
        {
            // Loads librdkafka if no client did yet, as building a consumer does.
            type.GetMethod("Initialize", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, [typeof(string)])?.Invoke(null, [null]);
            var missing = new List<string>();
            T? Field<T>(string name)
                where T : class
            {
                var value = type.GetField(name, BindingFlags.Static | BindingFlags.NonPublic)?.GetValue(null);
                if (value is T typed)
                {
                    return typed;
                }

                missing.Add(name);
                return null;
            }

            // The three of Confluent's own delegate types are rebound to Vigil's equivalents from the methods they wrap.
            T? Rebound<T>(string name)
                where T : Delegate
            {
                var bound = Field<Delegate>(name);
                try
                {
                    return bound?.Method.IsStatic == true ? bound.Method.CreateDelegate<T>() : null;
                }
                catch (ArgumentException)
                {
                    missing.Add(name + " (another signature)");
                    return null;
                }
            }

            var poll = Field<Func<IntPtr, IntPtr, IntPtr>>("_consumer_poll");
            var destroy = Field<Action<IntPtr>>("_message_destroy");
            var topic = Field<Func<IntPtr, IntPtr>>("_topic_name");
            var timestamp = Rebound<TimestampFunction>("_message_timestamp");
            var headers = Rebound<HeadersFunction>("_message_headers");
            var header = Rebound<HeaderFunction>("_header_get_all");
            var fatal = Field<Func<IntPtr, StringBuilder, UIntPtr, ErrorCode>>("_fatal_error");
            var listNew = Field<Func<IntPtr, IntPtr>>("_topic_partition_list_new");
            var listAdd = Field<Func<IntPtr, string, int, IntPtr>>("_topic_partition_list_add");
            var listDestroy = Field<Action<IntPtr>>("_topic_partition_list_destroy");
            var store = Field<Func<IntPtr, IntPtr, ErrorCode>>("_offsets_store");
            if (missing.Count > 0)
            {
                return (null, "Confluent.Kafka's librdkafka bindings lack " + string.Join(", ", missing));
            }

            return (new Librdkafka(poll!, destroy!, topic!, timestamp!, headers!, header!, fatal!, listNew!, listAdd!, listDestroy!, store!), null);
        }
        catch (Exception e)
        {
            return (null, "Confluent.Kafka's librdkafka bindings could not be read: " + e.Message);
        }
    }
}
