using System.Globalization;
using System.Text.Json;

namespace Vigil.Adapters;

/// <summary>
/// Tolerant reads of eslogger's JSON: a missing member, a JSON null and a member of another kind all read as absent,
/// because eslogger prints optional ES fields (es_process_t *_Nullable, empty string tokens) as null or leaves them out
/// depending on the message version.
/// </summary>
internal static class EsloggerJson
{
    public static bool TryObject(JsonElement parent, string name, out JsonElement value)
    {
        if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        value = default;
        return false;
    }

    public static string? String(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? AsString(value) : null;

    /// <summary>A string member; es_string_token_t prints as a string, but some writers wrap it as {"data": ...}.</summary>
    public static string? AsString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String => data.GetString(),
        _ => null,
    };

    /// <summary>An integer member, also when printed as a numeric string.</summary>
    public static long? Long(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var n) => n,
            JsonValueKind.Number when value.TryGetUInt64(out var u) => unchecked((long)u),
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
    }

    public static bool? Bool(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt64(out var n) => n != 0,
            _ => null,
        };
    }

    /// <summary>The path of an es_file_t member ({"path": ..., "path_truncated": ..., "stat": ...}).</summary>
    public static string? FilePath(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? String(value, "path") : AsString(value);
    }

    /// <summary>An array of strings (exec args, env); eslogger prints arrays, older writers {"items": [{"value": ...}]}.</summary>
    public static List<string>? Strings(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("items", out var items))
        {
            value = items;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var result = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.Object ? String(item, "value") : AsString(item);
            if (text is not null)
            {
                result.Add(text);
            }
        }

        return result;
    }
}
