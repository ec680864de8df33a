using System.Globalization;
using System.Text.Json;

namespace Vigil.Eql.Documents;

/// <summary>
/// Reads events stored as JSON documents (NDJSON backtests, exported Elastic documents) with the same fields and the
/// same value conventions as <see cref="ProtobufEventSchema{TMessage}"/>, so a query gives the same answer on either.
/// A field is found by its path as the query writes it, by its canonical ECS path, or by the protobuf names
/// (snake_case or lowerCamelCase); each level may be a nested object or a dotted key ("process.name": ...), and names
/// compare case-insensitively. Values are coerced to the catalog's type: int64 fields may be JSON strings (protobuf's
/// JSON mapping), and time fields accept ISO-8601 strings, epoch milliseconds (below 10^14) or epoch nanoseconds.
/// </summary>
public sealed class JsonEventSchema : IEventSchema<JsonElement>, IEventCodec<JsonElement>
{
    private const double NanosecondThreshold = 1e14;

    public JsonEventSchema(FieldCatalog fields)
    {
        Fields = fields;
    }

    public FieldCatalog Fields { get; }

    public FieldAccessor<JsonElement> CreateAccessor(FieldDefinition field, string writtenPath)
    {
        var spellings = new List<string[]>
        {
            writtenPath.Split('.'),
            field.Path.Split('.'),
            field.Chain.Select(f => f.Name).ToArray(),
            field.Chain.Select(f => f.JsonName).ToArray(),
        };
        var distinct = spellings
            .DistinctBy(s => string.Join('.', s).ToLowerInvariant())
            .ToArray();
        var type = field.Type;
        var multiValued = field.IsMultiValued;
        return document =>
        {
            foreach (var segments in distinct)
            {
                if (TryFind(document, segments, 0, out var found))
                {
                    return Convert(found, type, multiValued);
                }
            }

            return default;
        };
    }

    public byte[] Encode(JsonElement document) => JsonSerializer.SerializeToUtf8Bytes(document);

    public JsonElement Decode(ReadOnlySpan<byte> bytes) => JsonSerializer.Deserialize<JsonElement>(bytes);

    private static bool TryFind(JsonElement element, string[] segments, int index, out JsonElement found)
    {
        if (index == segments.Length)
        {
            found = element;
            return true;
        }

        found = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            var consumed = MatchedSegments(property.Name, segments, index);
            if (consumed > 0 && TryFind(property.Value, segments, index + consumed, out found))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How many segments starting at <paramref name="index"/> the key spells when joined with dots; 0 if none.</summary>
    private static int MatchedSegments(string key, string[] segments, int index)
    {
        var position = 0;
        for (var k = index; k < segments.Length; k++)
        {
            var segment = segments[k];
            if (key.Length - position < segment.Length
                || !key.AsSpan(position, segment.Length).Equals(segment, StringComparison.OrdinalIgnoreCase))
            {
                return 0;
            }

            position += segment.Length;
            if (position == key.Length)
            {
                return k - index + 1;
            }

            if (key[position] != '.')
            {
                return 0;
            }

            position++;
        }

        return 0;
    }

    private static EqlValue Convert(JsonElement element, EqlFieldType type, bool multiValued)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var values = new List<EqlValue>(element.GetArrayLength());
            foreach (var item in element.EnumerateArray())
            {
                var value = ConvertScalar(item, type);
                if (!value.IsNull)
                {
                    values.Add(value);
                }
            }

            return multiValued || values.Count != 1 ? EqlValue.FromValues(values) : values[0];
        }

        return ConvertScalar(element, type);
    }

    private static EqlValue ConvertScalar(JsonElement element, EqlFieldType type) => (type, element.ValueKind) switch
    {
        (_, JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.Object or JsonValueKind.Array) => default,
        (EqlFieldType.String, JsonValueKind.String) => EqlValue.FromString(element.GetString()),
        (EqlFieldType.String, _) => EqlValue.FromString(element.GetRawText()),
        (EqlFieldType.Boolean, JsonValueKind.True) => EqlValue.True,
        (EqlFieldType.Boolean, JsonValueKind.False) => EqlValue.False,
        (EqlFieldType.Boolean, JsonValueKind.String) => bool.TryParse(element.GetString(), out var b) ? EqlValue.FromBoolean(b) : default,
        (EqlFieldType.Integer, JsonValueKind.Number) => element.TryGetInt64(out var l) ? EqlValue.FromInteger(l) : EqlValue.FromFloat(element.GetDouble()),
        (EqlFieldType.Integer, JsonValueKind.String) => long.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? EqlValue.FromInteger(l) : default,
        (EqlFieldType.Float, JsonValueKind.Number) => EqlValue.FromFloat(element.GetDouble()),
        (EqlFieldType.Float, JsonValueKind.String) => double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? EqlValue.FromFloat(d) : default,
        (EqlFieldType.Time, JsonValueKind.Number) => element.TryGetInt64(out var t) ? Time(t) : Time((long)element.GetDouble()),
        (EqlFieldType.Time, JsonValueKind.String) => ParseTime(element.GetString()!),
        _ => default,
    };

    private static EqlValue Time(long value) => value == 0
        ? default
        : EqlValue.FromInteger(Math.Abs((double)value) < NanosecondThreshold ? value * 1_000_000 : value);

    private static EqlValue ParseTime(string text)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return Time(number);
        }

        return IsoTimestamp.TryParseNanoseconds(text, out var nanoseconds) ? EqlValue.FromInteger(nanoseconds) : default;
    }
}
