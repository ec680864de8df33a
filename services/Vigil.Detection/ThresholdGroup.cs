using Google.Protobuf;
using Vigil.Contracts.Telemetry;

namespace Vigil.Detection;

/// <summary>
/// The state of one threshold group (one combination of threshold.field values) of one rule. Bounded whatever the
/// event rate: the newest <c>value</c> event times (enough to know whether <c>value</c> events fall in the window), the
/// newest <c>cardinality.value</c> distinct values of the cardinality field with their latest time, and the newest
/// <see cref="ThresholdAggregation.MaxEvidence"/> events as evidence. <see cref="CountedUntil"/> is the time of the last
/// event an alert of this group counted: like Elastic's threshold signal history, later alerts count only newer events.
/// </summary>
public sealed class ThresholdGroup
{
    private const byte FormatVersion = 1;

    internal List<long> Times { get; } = [];

    internal Dictionary<string, long> Distinct { get; } = new(StringComparer.Ordinal);

    internal List<TelemetryEvent> Evidence { get; } = [];

    /// <summary>Event time (ns) up to which events were counted by an alert already; 0 before the first alert.</summary>
    public long CountedUntil { get; internal set; }

    /// <summary>The newest event time seen in the group (ns); 0 when empty.</summary>
    public long Newest { get; internal set; }

    public bool IsEmpty => Times.Count == 0 && CountedUntil == 0;

    /// <summary>Compact binary form for Redis: version, counters, times, distinct values, evidence events (protobuf).</summary>
    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer);
        writer.Write(FormatVersion);
        writer.Write(CountedUntil);
        writer.Write(Newest);
        writer.Write(Times.Count);
        foreach (var time in Times)
        {
            writer.Write(time);
        }

        writer.Write(Distinct.Count);
        foreach (var (value, time) in Distinct)
        {
            writer.Write(value);
            writer.Write(time);
        }

        writer.Write(Evidence.Count);
        foreach (var e in Evidence)
        {
            var bytes = e.ToByteArray();
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }

        writer.Flush();
        return buffer.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are not a serialized group of this format.</exception>
    public static ThresholdGroup Deserialize(byte[] bytes)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes));
            if (reader.ReadByte() != FormatVersion)
            {
                throw new InvalidDataException("unknown threshold state format");
            }

            var group = new ThresholdGroup { CountedUntil = reader.ReadInt64(), Newest = reader.ReadInt64() };
            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                group.Times.Add(reader.ReadInt64());
            }

            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                group.Distinct[reader.ReadString()] = reader.ReadInt64();
            }

            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                group.Evidence.Add(TelemetryEvent.Parser.ParseFrom(reader.ReadBytes(reader.ReadInt32())));
            }

            return group;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidProtocolBufferException or IOException)
        {
            throw new InvalidDataException("truncated threshold state", e);
        }
    }
}
