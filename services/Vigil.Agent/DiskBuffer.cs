using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Vigil.Contracts.Telemetry;
using File = System.IO.File;

namespace Vigil.Agent;

/// <summary>
/// Every event the agent produces goes to disk first and leaves only once Kafka acknowledged it, so an unreachable
/// broker (or an agent restart) loses nothing until the buffer is full.
/// <para>
/// Layout: a directory of segment files named by a zero-padded sequence number; the one being written ends in
/// ".open", sealed ones in ".seg" and are published oldest first. A segment is a run of records, each a 4-byte
/// little-endian length and the event's protobuf bytes. Appends are flushed to the operating system per batch
/// (they survive an agent crash, not a power loss). A torn last record (a crash mid-write) is ignored on read.
/// </para>
/// <para>
/// Bound: at most <c>MaxBytes</c> on disk. When an append would exceed it, the oldest sealed segments are deleted
/// and their events counted in <see cref="DroppedEvents"/>: during a long outage the newest telemetry is kept.
/// </para>
/// </summary>
public sealed class DiskBuffer : IDisposable
{
    private const string OpenSuffix = ".open";
    private const string SealedSuffix = ".seg";
    private readonly object gate = new();
    private readonly string directory;
    private readonly long maxBytes;
    private readonly long segmentBytes;
    private readonly SemaphoreSlim appended = new(0);
    private FileStream? current;
    private long currentSequence;
    private int currentRecords;
    private long sealedBytes;

    public DiskBuffer(string directory, long maxBytes, long segmentBytes)
    {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        Directory.CreateDirectory(directory);

        // Segments left open by a previous run are complete up to their last whole record: seal them.
        foreach (var open in Directory.GetFiles(directory, "*" + OpenSuffix))
        {
            File.Move(open, Path.ChangeExtension(open, SealedSuffix), overwrite: true);
        }

        var sealedSegments = Sealed();
        sealedBytes = sealedSegments.Sum(s => new FileInfo(s).Length);
        currentSequence = sealedSegments.Count == 0 ? 0 : SequenceOf(sealedSegments[^1]) + 1;
    }

    /// <summary>Events deleted unpublished because the buffer was full.</summary>
    public long DroppedEvents { get; private set; }

    /// <summary>Bytes on disk (sealed and open segments).</summary>
    public long PendingBytes
    {
        get
        {
            lock (gate)
            {
                return sealedBytes + (current?.Length ?? 0);
            }
        }
    }

    /// <summary>Writes events to the open segment (sealing it when full) and wakes the publisher.</summary>
    public void Append(IReadOnlyList<TelemetryEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        Span<byte> length = stackalloc byte[4];
        lock (gate)
        {
            foreach (var e in events)
            {
                var bytes = e.ToByteArray();
                MakeRoom(bytes.Length + 4);
                current ??= new FileStream(PathOf(currentSequence, OpenSuffix), FileMode.Append, FileAccess.Write, FileShare.Read);
                BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
                current.Write(length);
                current.Write(bytes);
                currentRecords++;
                if (current.Length >= this.segmentBytes)
                {
                    SealCurrent();
                }
            }

            current?.Flush();
        }

        appended.Release();
    }

    /// <summary>The oldest sealed segment, sealing the open one first when nothing else is waiting; null when empty.</summary>
    public string? Next()
    {
        lock (gate)
        {
            var sealedSegments = Sealed();
            if (sealedSegments.Count == 0 && currentRecords > 0)
            {
                SealCurrent();
                sealedSegments = Sealed();
            }

            return sealedSegments.Count == 0 ? null : sealedSegments[0];
        }
    }

    /// <summary>The events of a sealed segment, in the order they were appended.</summary>
    public static IReadOnlyList<TelemetryEvent> Read(string segment)
    {
        var bytes = File.ReadAllBytes(segment);
        var events = new List<TelemetryEvent>();
        var offset = 0;
        while (offset + 4 <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            if (length < 0 || offset + 4 + length > bytes.Length)
            {
                break;
            }

            events.Add(TelemetryEvent.Parser.ParseFrom(bytes, offset + 4, length));
            offset += 4 + length;
        }

        return events;
    }

    /// <summary>Removes a segment once Kafka acknowledged all its events.</summary>
    public void Delete(string segment)
    {
        lock (gate)
        {
            if (File.Exists(segment))
            {
                sealedBytes -= new FileInfo(segment).Length;
                File.Delete(segment);
            }
        }
    }

    /// <summary>Completes when events were appended since the last call, or after <paramref name="timeout"/>.</summary>
    public Task WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken) => appended.WaitAsync(timeout, cancellationToken);

    public void Dispose()
    {
        lock (gate)
        {
            current?.Dispose();
            current = null;
        }

        appended.Dispose();
    }

    private void MakeRoom(long needed)
    {
        while (sealedBytes + (current?.Length ?? 0) + needed > this.maxBytes)
        {
            var sealedSegments = Sealed();
            if (sealedSegments.Count == 0)
            {
                if (currentRecords == 0)
                {
                    return;
                }

                SealCurrent();
                continue;
            }

            DroppedEvents += Read(sealedSegments[0]).Count;
            sealedBytes -= new FileInfo(sealedSegments[0]).Length;
            File.Delete(sealedSegments[0]);
        }
    }

    private void SealCurrent()
    {
        if (current is null)
        {
            return;
        }

        current.Flush();
        var length = current.Length;
        current.Dispose();
        current = null;
        File.Move(PathOf(currentSequence, OpenSuffix), PathOf(currentSequence, SealedSuffix));
        sealedBytes += length;
        currentSequence++;
        currentRecords = 0;
    }

    private List<string> Sealed() =>
        Directory.GetFiles(this.directory, "*" + SealedSuffix).OrderBy(SequenceOf).ToList();

    private string PathOf(long sequence, string suffix) =>
        Path.Combine(this.directory, sequence.ToString("D20", CultureInfo.InvariantCulture) + suffix);

    private static long SequenceOf(string path) =>
        long.Parse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture);
}
