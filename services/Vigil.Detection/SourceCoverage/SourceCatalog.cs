using System.Text.Json;
using Vigil.Eql.Documents;
using Vigil.Rules;

namespace Vigil.Detection.SourceCoverage;

/// <summary>
/// The declared catalog of what each source format produces (sources.json next to this file, embedded in the
/// assembly): the one place the ingest adapters' and the simulator's output is described, so `vigil rules check` can
/// tell a rule that compiles but needs an event kind or a field no configured source ever produces.
/// </summary>
public sealed class SourceCatalog
{
    private SourceCatalog(IReadOnlyList<SourceFormat> sources) => Sources = sources;

    public IReadOnlyList<SourceFormat> Sources { get; }

    public static SourceCatalog Default { get; } = Load();

    public SourceFormat? Find(string name) => Sources.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    private static SourceCatalog Load()
    {
        using var stream = typeof(SourceCatalog).Assembly.GetManifestResourceStream("Vigil.Detection.SourceCoverage.sources.json")
            ?? throw new InvalidOperationException("The source coverage catalog (SourceCoverage/sources.json) is not embedded.");
        using var document = JsonDocument.Parse(stream);
        var sources = new List<SourceFormat>();
        foreach (var source in document.RootElement.GetProperty("sources").EnumerateObject())
        {
            var events = source.Value.GetProperty("events").EnumerateArray()
                .Select(e => new EventKind(e.GetProperty("category").GetString()!, e.GetProperty("type").GetString()!, e.GetProperty("action").GetString()!))
                .ToList();

            // Fields are compared in the contract's canonical spelling ("file.Ext.original.path" and "file.Ext.original_path" are one field).
            var fields = source.Value.GetProperty("fields").EnumerateArray()
                .Select(f => f.GetString()!)
                .Select(f => TelemetrySchemas.Fields.TryResolve(f, out var definition, out _) ? definition.Path : f)
                .ToHashSet(StringComparer.Ordinal);
            sources.Add(new SourceFormat(source.Name, source.Value.GetProperty("description").GetString() ?? string.Empty, events, fields));
        }

        return new SourceCatalog(sources);
    }
}
