using Vigil.Adapters;

namespace Vigil.Ingest;

/// <summary>One raw topic the ingest group reads, with its format's adapter (one instance per topic: adapters may keep state).</summary>
internal sealed record RawSource(string Topic, string Format, ITelemetryAdapter Adapter);
