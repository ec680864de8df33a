using System.Text.Json;

namespace Vigil.Adapters;

/// <summary>
/// Tells which source format an export's first document is in, where that is unambiguous: Elasticsearch's own shapes
/// (a search response, hit lines with <c>_source</c>, Elastic Agent's <c>@metadata</c>, or the <c>ecs</c>/<c>data_stream</c>/<c>elastic</c>
/// objects every Elastic Agent document carries) are elastic; Endpoint Security messages (<c>event_type</c> with
/// <c>mach_time</c> or <c>global_seq_num</c>) are eslogger; other ECS JSON lines are Vigil's own canonical lines.
/// </summary>
public static class ExportFormat
{
    /// <summary>Vigil's own ECS JSON lines (what fleet-sim and `vigil telemetry tail --format json` write).</summary>
    public const string Canonical = "canonical";

    public const string Eslogger = "eslogger";

    /// <summary>The format name, or null when the text is not a JSON object at all.</summary>
    public static string? Detect(string firstDocument)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(firstDocument);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (Has(root, "hits") || Has(root, "_source") || Has(root, "@metadata") || Has(root, "ecs") || Has(root, "data_stream")
                || Has(root, "elastic") || Has(root, "ecs.version") || Has(root, "data_stream.dataset"))
            {
                return ElasticAdapter.FormatName;
            }

            if (Has(root, "event_type") && (Has(root, "mach_time") || Has(root, "global_seq_num")))
            {
                return Eslogger;
            }

            return Canonical;
        }
    }

    private static bool Has(JsonElement root, string name) => root.TryGetProperty(name, out _);
}
