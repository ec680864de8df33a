using Google.Protobuf;
using Vigil.Contracts.Telemetry;

namespace Vigil.Benchmarks;

/// <summary>The simulated events, written once by the parent for the producer child.</summary>
internal static class EventFile
{
    public static void Write(string path, IReadOnlyList<TelemetryEvent> events)
    {
        using var stream = System.IO.File.Create(path);
        foreach (var e in events)
        {
            e.WriteDelimitedTo(stream);
        }
    }

    public static List<TelemetryEvent> Read(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        var events = new List<TelemetryEvent>();
        while (stream.Position < stream.Length)
        {
            events.Add(TelemetryEvent.Parser.ParseDelimitedFrom(stream));
        }

        return events;
    }
}
