using System.Text.Json;

namespace Vigil.Adapters;

/// <summary>
/// Splits one raw Elastic record into its event documents. A record may be: one event as Elastic Agent's Kafka output
/// writes it (the event fields plus <c>@metadata</c>), a bare <c>_source</c> line of an Elasticsearch export, a hit line
/// (<c>{"_index":...,"_id":...,"_source":{...}}</c>), a whole search response (<c>hits.hits[]._source</c>), or several of
/// those back to back (NDJSON). Documents are numbered in order across the record.
/// </summary>
internal static class ElasticDocuments
{
    private static readonly JsonReaderOptions ReaderOptions = new() { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 128 };

    /// <summary>One document: its JSON (default when unusable), the hit's _id when it came from a hit, or why it cannot be used.</summary>
    internal readonly record struct Document(JsonElement Source, string? HitId, AdaptRejection? Rejection);

    /// <summary>Parses the record and yields its documents; a parse error ends the record with one Malformed rejection.</summary>
    public static List<Document> Read(ReadOnlyMemory<byte> value, out List<JsonDocument> owners)
    {
        owners = [];
        var documents = new List<Document>();
        var span = value.Span;
        if (span.StartsWith("\uFEFF"u8))
        {
            span = span[3..];
        }

        var reader = new Utf8JsonReader(span, ReaderOptions);
        try
        {
            while (true)
            {
                if (!reader.Read())
                {
                    break;
                }

                var parsed = JsonDocument.ParseValue(ref reader);
                owners.Add(parsed);
                Expand(parsed.RootElement, documents);
            }
        }
        catch (JsonException e)
        {
            documents.Add(new Document(default, null, new AdaptRejection(
                RejectionReason.Malformed,
                $"not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message}",
                documents.Count)));
        }

        if (documents.Count == 0)
        {
            documents.Add(new Document(default, null, new AdaptRejection(RejectionReason.Malformed, "empty record: no JSON document", 0)));
        }

        return documents;
    }

    private static void Expand(JsonElement root, List<Document> documents)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            documents.Add(new Document(default, null, new AdaptRejection(
                RejectionReason.NotADocument, $"a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an event object", documents.Count)));
            return;
        }

        // A search response: {"took":..,"hits":{"total":..,"hits":[{"_id":..,"_source":{..}}, ..]}}.
        if (root.TryGetProperty("hits", out var hits) && hits.ValueKind == JsonValueKind.Object
            && hits.TryGetProperty("hits", out var hitList) && hitList.ValueKind == JsonValueKind.Array)
        {
            foreach (var hit in hitList.EnumerateArray())
            {
                documents.Add(FromHit(hit, documents.Count));
            }

            return;
        }

        documents.Add(root.TryGetProperty("_source", out _) ? FromHit(root, documents.Count) : new Document(root, null, null));
    }

    private static Document FromHit(JsonElement hit, int index)
    {
        if (hit.ValueKind == JsonValueKind.Object && hit.TryGetProperty("_source", out var source) && source.ValueKind == JsonValueKind.Object)
        {
            var id = hit.TryGetProperty("_id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
            return new Document(source, id, null);
        }

        // Hits fetched with _source disabled carry only "fields"; there is no event to rebuild from them reliably.
        return new Document(default, null, new AdaptRejection(RejectionReason.NotADocument, "a search hit without a _source object", index));
    }
}
