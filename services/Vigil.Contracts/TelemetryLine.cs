using System.Globalization;
using System.Text;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts;

/// <summary>One-line, human-readable rendering of a telemetry event: when, where, who, what.</summary>
public static class TelemetryLine
{
    public static string Describe(TelemetryEvent e)
    {
        var line = new StringBuilder(160);
        line.Append(FormatTime(e.Timestamp)).Append(' ')
            .Append(e.Host?.Name is { Length: > 0 } name ? name : e.Host?.Id).Append(' ')
            .Append(e.User?.Name).Append(' ');
        return AppendWhat(line, e).ToString();
    }

    /// <summary>What happened, without when, where and who: for lines that already say those.</summary>
    public static string Summarize(TelemetryEvent e) => AppendWhat(new StringBuilder(120), e).ToString();

    private static StringBuilder AppendWhat(StringBuilder line, TelemetryEvent e)
    {
        line.Append(string.Join('/', e.Event?.Category ?? [])).Append(':').Append(e.Event?.Action).Append(' ');
        var process = e.Process;
        if (process is not null)
        {
            line.Append(process.Name);
            if (process.Parent is { Name.Length: > 0 } parent)
            {
                line.Append(" (parent ").Append(parent.Name).Append(')');
            }
        }

        if (e.File is { Path.Length: > 0 } file)
        {
            line.Append(" file=").Append(file.Path);
        }

        if (e.Destination is { } destination && (destination.Ip.Length > 0 || destination.Domain.Length > 0))
        {
            line.Append(" dest=").Append(destination.Domain.Length > 0 ? destination.Domain : destination.Ip).Append(':').Append(destination.Port);
            if (e.Network is { Protocol.Length: > 0 } network)
            {
                line.Append('/').Append(network.Protocol);
            }
        }

        if (e.Dll is { Path.Length: > 0 } dll)
        {
            line.Append(" loaded=").Append(dll.Path);
        }

        if (e.Dns?.Question is { Name.Length: > 0 } question)
        {
            line.Append(" dns=").Append(question.Name);
        }

        return line;
    }

    /// <summary>Nanoseconds since the Unix epoch as ISO-8601 UTC with milliseconds.</summary>
    public static string FormatTime(long unixNanos) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixNanos / 1_000_000).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
