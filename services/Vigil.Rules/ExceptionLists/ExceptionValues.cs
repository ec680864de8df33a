using System.Globalization;
using Vigil.Eql.Documents;

namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// Reads an exception entry's value (always a string in Kibana's format) as the type of the field it tests, once at
/// load, the way Elasticsearch's match_phrase reads "443" for a long field or "true" for a boolean.
/// </summary>
internal static class ExceptionValues
{
    public static EqlValue? Parse(FieldDefinition field, string text) => field.Type switch
    {
        EqlFieldType.String => EqlValue.FromString(text) is { IsNull: false } s ? s : null,
        EqlFieldType.Boolean => bool.TryParse(text, out var b) ? EqlValue.FromBoolean(b) : null,
        EqlFieldType.Integer => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? EqlValue.FromInteger(l) : null,
        EqlFieldType.Float => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? EqlValue.FromFloat(d) : null,
        EqlFieldType.Time => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? EqlValue.FromInteger((t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100)
            : null,
        _ => null,
    };
}
