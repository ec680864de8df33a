namespace Vigil.Detection.SourceCoverage;

/// <summary>One kind of event a source emits: its event.category, event.type and event.action.</summary>
public sealed record EventKind(string Category, string Type, string Action);
