using System.Text;

namespace Vigil.FleetSim;

/// <summary>Appends ground-truth records as NDJSON (see <see cref="GroundTruthRecord.ToJson"/>), flushing each line.</summary>
public sealed class NdjsonGroundTruthSink(Stream stream, bool leaveOpen = false) : IGroundTruthSink, IAsyncDisposable
{
    /// <summary>A sink appending to <paramref name="path"/>, created if missing.</summary>
    public static NdjsonGroundTruthSink Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 12, useAsync: true));

    public async ValueTask WriteAsync(GroundTruthRecord record, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(record.ToJson() + "\n"), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!leaveOpen)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
