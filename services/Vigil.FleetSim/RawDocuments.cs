using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim;

/// <summary>The one place an agent emit format maps to its document writer (one JSON document per event).</summary>
internal static class RawDocuments
{
    public static Func<TelemetryEvent, byte[]> Writer(TelemetryEmitFormat format) => format switch
    {
        TelemetryEmitFormat.Elastic => ElasticDocumentWriter.ToBytes,

        // Empty for an event with no eslogger form (network, DNS, script load): writers skip it.
        TelemetryEmitFormat.Eslogger => e => EsloggerMessageWriter.ToLine(e) ?? [],
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Canonical telemetry is not written as raw agent documents."),
    };
}
