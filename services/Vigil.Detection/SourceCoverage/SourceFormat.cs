namespace Vigil.Detection.SourceCoverage;

/// <summary>What one source format produces once its ingest adapter has run: event kinds and populated ECS fields.</summary>
public sealed record SourceFormat(string Name, string Description, IReadOnlyList<EventKind> Events, IReadOnlySet<string> Fields)
{
    public bool Produces(string category) => Events.Any(e => e.Category == category);
}
