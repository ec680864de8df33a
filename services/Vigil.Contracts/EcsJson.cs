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
/// Writing: nested objects keyed by proto field names (already ECS snake_case); a field named <c>timestamp</c>
/// is written as <c>@timestamp</c> and a message field named <c>ext</c> as <c>Ext</c>; int64 fields ECS
/// defines as dates (<c>@timestamp</c>, <c>event.ingested</c>, <c>process.start</c>, <c>file.mtime</c>,
/// <c>file.created</c>...) are ISO-8601 UTC text with millisecond, microsecond or nanosecond digits as needed;
/// other numbers are JSON numbers; enums are their proto names; bytes are base64. Unset and default values are
/// left out (a set message with no set field stays as <c>{}</c>); repeated fields are arrays.
/// Reading accepts that and more: nested or dotted keys (<c>"process.parent.name"</c>, also mixed), keys in
/// any letter case, a date as ISO-8601 text or epoch milliseconds, a number as JSON number or numeric text, a
/// single value for a repeated field, and null as absent. Unknown keys are ignored; a value of the wrong type
/// throws <see cref="EcsJsonException"/> naming its JSON path.
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

    /// <summary>Reads one ECS JSON document (e.g. one NDJSON line).</summary>
    public static T Parse<T>(string json) where T : IMessage<T>, new()
    {
        using var document = ParseDocument(() => JsonDocument.Parse(json));
        return Parse<T>(document.RootElement);
    }

    /// <summary>Reads one ECS JSON document from UTF-8 bytes.</summary>
    public static T Parse<T>(ReadOnlyMemory<byte> utf8Json) where T : IMessage<T>, new()
    {
        using var document = ParseDocument(() => JsonDocument.Parse(utf8Json));
        return Parse<T>(document.RootElement);
    }

    /// <summary>Reads an ECS JSON object already parsed.</summary>
    public static T Parse<T>(JsonElement document) where T : IMessage<T>, new()
    {
        var message = new T();
        EcsJsonReader.ReadObject(document, message, "$");
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
