using System.Collections;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Vigil.Contracts;

/// <summary>Fills a message from an ECS JSON object by walking its descriptor; see <see cref="EcsJson"/> for what it accepts.</summary>
internal static class EcsJsonReader
{
    private const long NanosPerMilli = 1_000_000;

    public static void ReadObject(JsonElement json, IMessage target, string path)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw Mismatch(path, "an object", json);
        }

        foreach (var property in json.EnumerateObject())
        {
            // A dotted key ("process.parent.name") addresses nested fields; "@timestamp" has no dot to split.
            Assign(target, property.Name.Split('.'), 0, property.Value, path);
        }
    }

    private static void Assign(IMessage target, string[] keys, int index, JsonElement value, string path)
    {
        var key = keys[index];
        var field = EcsFieldNaming.Find(target.Descriptor, key);
        if (field is null)
        {
            return;
        }

        var fieldPath = $"{path}.{key}";
        if (index == keys.Length - 1)
        {
            SetField(target, field, value, fieldPath);
            return;
        }

        if (field.IsRepeated || field.FieldType != FieldType.Message)
        {
            throw new EcsJsonException(fieldPath, $"is not an object, so '{string.Join('.', keys[(index + 1)..])}' cannot be addressed inside it");
        }

        Assign(MessageAt(target, field), keys, index + 1, value, fieldPath);
    }

    private static void SetField(IMessage target, FieldDescriptor field, JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (field.IsMap)
        {
            ReadMap((IDictionary)field.Accessor.GetValue(target), field, value, path);
        }
        else if (field.IsRepeated)
        {
            var list = (IList)field.Accessor.GetValue(target);
            if (value.ValueKind != JsonValueKind.Array)
            {
                // Elasticsearch treats a lone value and a one-element array alike.
                list.Add(ReadSingle(field, value, path));
                return;
            }

            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                var itemPath = $"{path}[{i++}]";
                if (item.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                list.Add(ReadSingle(field, item, itemPath));
            }
        }
        else if (field.FieldType == FieldType.Message)
        {
            ReadObject(value, MessageAt(target, field), path);
        }
        else
        {
            field.Accessor.SetValue(target, ReadSingle(field, value, path));
        }
    }

    private static IMessage MessageAt(IMessage target, FieldDescriptor field)
    {
        if (field.Accessor.GetValue(target) is IMessage existing)
        {
            return existing;
        }

        var created = field.MessageType.Parser.ParseFrom(ByteString.Empty);
        field.Accessor.SetValue(target, created);
        return created;
    }

    private static void ReadMap(IDictionary map, FieldDescriptor field, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Mismatch(path, "an object", value);
        }

        var keyField = field.MessageType.FindFieldByNumber(1);
        var valueField = field.MessageType.FindFieldByNumber(2);
        foreach (var entry in value.EnumerateObject())
        {
            var entryPath = $"{path}.{entry.Name}";
            // Map keys are JSON property names, so they arrive as text whatever their proto type.
            var key = ReadSingle(keyField, JsonSerializer.SerializeToElement(entry.Name), entryPath);
            map[key] = ReadSingle(valueField, entry.Value, entryPath);
        }
    }

    private static object ReadSingle(FieldDescriptor field, JsonElement value, string path)
    {
        switch (field.FieldType)
        {
            case FieldType.Message:
            case FieldType.Group:
                var message = field.MessageType.Parser.ParseFrom(ByteString.Empty);
                ReadObject(value, message, path);
                return message;
            case FieldType.String:
                return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Mismatch(path, "a string", value);
            case FieldType.Bool:
                return value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
                    _ => throw Mismatch(path, "true or false", value),
                };
            case FieldType.Int64 when EcsFieldNaming.IsDate(field):
                return ReadDate(value, path);
            case FieldType.Int64:
            case FieldType.SInt64:
            case FieldType.SFixed64:
                return ReadInteger(value, path, long.MinValue, long.MaxValue, "a 64-bit integer");
            case FieldType.Int32:
            case FieldType.SInt32:
            case FieldType.SFixed32:
                return (int)ReadInteger(value, path, int.MinValue, int.MaxValue, "a 32-bit integer");
            case FieldType.UInt32:
            case FieldType.Fixed32:
                return (uint)ReadInteger(value, path, 0, uint.MaxValue, "an unsigned 32-bit integer");
            case FieldType.UInt64:
            case FieldType.Fixed64:
                return ReadUnsigned64(value, path);
            case FieldType.Double:
                return ReadFloating(value, path);
            case FieldType.Float:
                return (float)ReadFloating(value, path);
            case FieldType.Bytes:
                return ReadBytes(value, path);
            case FieldType.Enum:
                return ReadEnum(field, value, path);
            default:
                throw new EcsJsonException(path, $"has proto type {field.FieldType}, which has no ECS JSON form");
        }
    }

    private static long ReadDate(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var millis))
        {
            return MillisToNanos(millis, path);
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (EcsTimestamp.TryParse(text, out var nanos))
            {
                return nanos;
            }

            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out millis))
            {
                return MillisToNanos(millis, path);
            }
        }

        throw Mismatch(path, "an ISO-8601 date-time or epoch milliseconds", value);
    }

    // Decimal keeps epoch milliseconds exact down to the nanosecond, which a double cannot.
    private static long MillisToNanos(decimal millis, string path)
    {
        const decimal limit = long.MaxValue / NanosPerMilli;
        return millis is >= -limit and <= limit
            ? (long)decimal.Round(millis * NanosPerMilli)
            : throw new EcsJsonException(path, $"epoch milliseconds {millis} are out of range");
    }

    private static long ReadInteger(JsonElement value, string path, long min, long max, string expected)
    {
        long parsed;
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out parsed),
            // Proto3's canonical JSON writes 64-bit integers as strings.
            JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed),
            _ => (parsed = 0) != 0,
        };
        return ok && parsed >= min && parsed <= max ? parsed : throw Mismatch(path, expected, value);
    }

    private static ulong ReadUnsigned64(JsonElement value, string path)
    {
        ulong parsed;
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetUInt64(out parsed),
            JsonValueKind.String => ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out parsed),
            _ => (parsed = 0) != 0,
        };
        return ok ? parsed : throw Mismatch(path, "an unsigned 64-bit integer", value);
    }

    private static double ReadFloating(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        if (value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        throw Mismatch(path, "a number", value);
    }

    private static ByteString ReadBytes(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.String && value.TryGetBytesFromBase64(out var bytes))
        {
            return ByteString.CopyFrom(bytes);
        }

        throw Mismatch(path, "base64 text", value);
    }

    private static object ReadEnum(FieldDescriptor field, JsonElement value, string path)
    {
        var number = value.ValueKind switch
        {
            JsonValueKind.String => field.EnumType.FindValueByName(value.GetString()!)?.Number,
            JsonValueKind.Number when value.TryGetInt32(out var n) => n,
            _ => null,
        };
        return number is { } known
            ? Enum.ToObject(field.EnumType.ClrType, known)
            : throw Mismatch(path, $"a value of enum {field.EnumType.Name}", value);
    }

    private static EcsJsonException Mismatch(string path, string expected, JsonElement actual)
    {
        var shown = actual.ValueKind is JsonValueKind.Object or JsonValueKind.Array
            ? actual.ValueKind.ToString().ToLowerInvariant()
            : actual.GetRawText();
        if (shown.Length > 80)
        {
            shown = shown[..80] + "...";
        }

        return new EcsJsonException(path, $"expected {expected}, found {shown}");
    }
}
