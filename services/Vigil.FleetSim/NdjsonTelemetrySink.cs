using System.Buffers;
using System.Text.Json;
using Vigil.Contracts;
using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim;

/// <summary>Writes events as ECS JSON (or an agent's format), one document per line (NDJSON), flushing after every batch.</summary>
public sealed class NdjsonTelemetrySink(Stream stream, bool leaveOpen = false, TelemetryEmitFormat format = TelemetryEmitFormat.Canonical) : ITelemetrySink, IAsyncDisposable
{
    private readonly ArrayBufferWriter<byte> buffer = new(64 * 1024);

    /// <summary>A sink writing to <paramref name="path"/> (created or truncated), or to standard output for "-".</summary>
    public static NdjsonTelemetrySink Open(string path, TelemetryEmitFormat format = TelemetryEmitFormat.Canonical) => path == "-"
        ? new NdjsonTelemetrySink(Console.OpenStandardOutput(), format: format)
        : new NdjsonTelemetrySink(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true), format: format);

    public async ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        if (format != TelemetryEmitFormat.Canonical)
        {
            var write = RawDocuments.Writer(format);
            foreach (var e in batch)
            {
                var document = write(e);
                if (document.Length > 0)
                {
                    buffer.Write(document);
                    buffer.Write("\n"u8);
                }
            }

            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        using (var writer = new Utf8JsonWriter(buffer, EcsJson.WriterOptions))
        {
            foreach (var e in batch)
            {
                EcsJson.Write(writer, e);
                writer.Flush();
                writer.Reset();
                buffer.Write("\n"u8);
            }
        }

        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
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
