using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;

namespace Vigil.Contracts;

/// <summary>
/// Reads and writes contract messages (TelemetryEvent above all) as ECS JSON documents, the layout Elastic
/// Defend and Elasticsearch use, driven by the protobuf descriptors so a new proto field needs no code here.
/// </summary>
/// <remarks>
/// Writing: nested objects keyed by proto field names (already ECS snake_case, capitalised where Elastic Defend
/// capitalises: <c>Effective_process</c>, <c>Persistence</c>, <c>Tcc</c>); a field named <c>timestamp</c> at the root is
/// written as <c>@timestamp</c> and a message field named <c>ext</c> as <c>Ext</c>; int64 fields ECS defines as dates
/// (<c>@timestamp</c>, <c>event.ingested</c>, <c>process.start</c>, <c>file.mtime</c>...) are ISO-8601 UTC text with
/// millisecond, microsecond or nanosecond digits as needed; other numbers are JSON numbers; enums are their proto names;
/// bytes are base64. Unset values are left out: a field with presence (the contract's optional bools and numbers) is
/// written whenever set, so false and 0 survive; other fields are left out when empty, false or 0. Repeated fields are
/// arrays. TelemetryEvent.unmapped entries are written back under their own dotted names with their JSON values.
/// Reading is as tolerant as Elasticsearch indexing: nested or dotted keys (<c>"process.parent.name"</c>, also mixed in
/// one document), keys in any letter case, a date as ISO-8601 text or epoch milliseconds, a number as JSON number or
/// numeric text (a fraction truncated), a number or boolean where the contract has a string (<c>user.id</c> 501 reads as
/// "501"), "true"/"false" text for booleans, a single value for a repeated field, a one-element array for a single-valued
/// field, and null or an empty array as absent. A field the contract has no place for is kept in the unmapped map under
/// its flattened name (bounded, see <see cref="UnmappedFields"/>); a value that cannot be coerced gets a typed reason
/// (<see cref="EcsValueProblem"/>: path, expected, found). <see cref="Parse{T}(JsonElement, EcsReadReport)"/> reports
/// both and never throws for them; the overloads without a report throw <see cref="EcsJsonException"/> for the first
/// value that cannot be coerced.
/// </remarks>
public static class EcsJson
{
    /// <summary>
    /// Writer settings for ECS JSON lines: compact, and escaping only what JSON requires, so paths and command
    /// lines stay readable ('+', '&amp;', quotes in args). Not for embedding in HTML.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The message as one line of ECS JSON.</summary>
    public static string Format(IMessage message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, message);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes the message as an ECS JSON object at the writer's current position.</summary>
    public static void Write(Utf8JsonWriter writer, IMessage message) => EcsJsonWriter.WriteMessage(writer, message);

    /// <summary>Reads one ECS JSON document (e.g. one NDJSON line); throws for a value that cannot be coerced.</summary>
    public static T Parse<T>(string json) where T : IMessage<T>, new()
    {
        using var document = ParseDocument(() => JsonDocument.Parse(json));
        return Parse<T>(document.RootElement);
    }

    /// <summary>Reads one ECS JSON document from UTF-8 bytes; throws for a value that cannot be coerced.</summary>
    public static T Parse<T>(ReadOnlyMemory<byte> utf8Json) where T : IMessage<T>, new()
    {
        using var document = ParseDocument(() => JsonDocument.Parse(utf8Json));
        return Parse<T>(document.RootElement);
    }

    /// <summary>Reads an ECS JSON object already parsed; throws for a value that cannot be coerced.</summary>
    public static T Parse<T>(JsonElement document) where T : IMessage<T>, new()
    {
        var report = new EcsReadReport();
        var message = Parse<T>(document, report);
        return report.Problems.Count == 0 ? message : throw new EcsJsonException(report.Problems[0]);
    }

    /// <summary>
    /// Reads one ECS JSON document from UTF-8 bytes, reporting what did not fit the contract in <paramref name="report"/>
    /// (which is not cleared first). Throws <see cref="EcsJsonException"/> only when the bytes are not JSON.
    /// </summary>
    public static T Parse<T>(ReadOnlyMemory<byte> utf8Json, EcsReadReport report) where T : IMessage<T>, new()
    {
        using var document = ParseDocument(() => JsonDocument.Parse(utf8Json));
        return Parse<T>(document.RootElement, report);
    }

    /// <summary>
    /// Reads an ECS JSON object already parsed, reporting in <paramref name="report"/> (not cleared first) the fields kept
    /// unmapped, those beyond the unmapped bound, and the values that could not be coerced. Never throws for the document's
    /// content: whatever does not fit is reported, and kept in the unmapped map where the bound allows.
    /// </summary>
    public static T Parse<T>(JsonElement document, EcsReadReport report) where T : IMessage<T>, new()
    {
        var message = new T();
        EcsJsonReader.Read(document, message, report);
        return message;
    }

    private static JsonDocument ParseDocument(Func<JsonDocument> parse)
    {
        try
        {
            return parse();
        }
        catch (JsonException e)
        {
            throw new EcsJsonException($"$ (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", "not valid JSON", e);
        }
    }
}
