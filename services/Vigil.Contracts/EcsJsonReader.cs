using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Vigil.Contracts;

/// <summary>
/// Fills a message from an ECS JSON object by walking its descriptor, as tolerant as Elasticsearch is of what agents
/// send; see <see cref="EcsJson"/> for what it accepts. Nothing is dropped silently: a field the contract has no place
/// for, and a value that cannot be coerced, go to the root message's <c>unmapped</c> map (within
/// <see cref="UnmappedFields"/>' bound) and are named in the <see cref="EcsReadReport"/>.
/// </summary>
internal sealed class EcsJsonReader
{
    private const long NanosPerMilli = 1_000_000;
    private const string UnmappedFieldName = "unmapped";

    private readonly EcsReadReport report;
    private readonly IDictionary? unmapped;

    private EcsJsonReader(EcsReadReport report, IDictionary? unmapped)
    {
        this.report = report;
        this.unmapped = unmapped;
    }

    public static void Read(JsonElement json, IMessage root, EcsReadReport report)
    {
        var reader = new EcsJsonReader(report, UnmappedMapOf(root));
        if (json.ValueKind != JsonValueKind.Object)
        {
            report.AddProblem(new EcsValueProblem("$", "an object", Describe(json)));
            return;
        }

        reader.ReadObject(json, root, "$", string.Empty);
    }

    /// <summary>The root's <c>map&lt;string, string&gt; unmapped</c>, when the message has one (TelemetryEvent does).</summary>
    private static IDictionary? UnmappedMapOf(IMessage root)
    {
        var field = root.Descriptor.FindFieldByName(UnmappedFieldName);
        return field is { IsMap: true }
               && field.MessageType.FindFieldByNumber(1).FieldType == FieldType.String
               && field.MessageType.FindFieldByNumber(2).FieldType == FieldType.String
            ? (IDictionary)field.Accessor.GetValue(root)
            : null;
    }

    private static bool IsUnmappedMap(FieldDescriptor field) => field.IsMap && field.Name == UnmappedFieldName;

    /// <param name="path">JSON path of <paramref name="json"/> as the document spells it.</param>
    /// <param name="name">Flattened ECS name of <paramref name="json"/> ("" at the root), for unmapped entries.</param>
    private void ReadObject(JsonElement json, IMessage target, string path, string name)
    {
        foreach (var property in json.EnumerateObject())
        {
            // A dotted key ("process.parent.name") addresses nested fields; "@timestamp" has no dot to split.
            Assign(target, property.Name.Split('.'), 0, property.Value, path, name);
        }
    }

    private void Assign(IMessage target, string[] keys, int index, JsonElement value, string path, string name)
    {
        var key = keys[index];
        var field = EcsFieldNaming.Find(target.Descriptor, key);
        var fieldName = Join(name, key);
        if (field is null || (IsUnmappedMap(field) && name.Length > 0))
        {
            KeepUnknown(Join(fieldName, keys, index + 1), value);
            return;
        }

        var fieldPath = $"{path}.{key}";
        if (index == keys.Length - 1)
        {
            SetField(target, field, value, fieldPath, fieldName);
            return;
        }

        if (field.IsRepeated || field.FieldType != FieldType.Message)
        {
            var rest = string.Join('.', keys, index + 1, keys.Length - index - 1);
            Reject(new EcsValueProblem(fieldPath, $"no field inside it (it holds {Kind(field)})", $"a key '{rest}' inside it"), Join(fieldName, keys, index + 1), value);
            return;
        }

        Assign(MessageAt(target, field), keys, index + 1, value, fieldPath, fieldName);
    }

    private void SetField(IMessage target, FieldDescriptor field, JsonElement value, string path, string name)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (field.IsMap)
        {
            ReadMap((IDictionary)field.Accessor.GetValue(target), field, value, path, name);
            return;
        }

        if (field.IsRepeated)
        {
            ReadRepeated((IList)field.Accessor.GetValue(target), field, value, path, name);
            return;
        }

        if (!TrySingle(value, path, name, field, out var single))
        {
            return;
        }

        if (field.FieldType == FieldType.Message)
        {
            if (single.ValueKind != JsonValueKind.Object)
            {
                Reject(new EcsValueProblem(path, "an object", Describe(single)), name, value);
                return;
            }

            ReadObject(single, MessageAt(target, field), path, name);
            return;
        }

        if (TryScalar(field, single, out var scalar, out var expected))
        {
            field.Accessor.SetValue(target, scalar);
        }
        else
        {
            Reject(new EcsValueProblem(path, expected, Describe(single)), name, value);
        }
    }

    /// <summary>
    /// Elasticsearch keeps no difference between a value and a one-element array, and indexes an empty array as no value;
    /// several values for a single-valued contract field have nowhere to go.
    /// </summary>
    private bool TrySingle(JsonElement value, string path, string name, FieldDescriptor field, out JsonElement single)
    {
        single = value;
        if (value.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        var values = value.EnumerateArray().Where(v => v.ValueKind != JsonValueKind.Null).ToList();
        switch (values.Count)
        {
            case 0:
                return false;
            case 1:
                single = values[0];
                return single.ValueKind != JsonValueKind.Array || TrySingle(single, path, name, field, out single);
            default:
                Reject(new EcsValueProblem(path, $"one value ({Kind(field)})", $"an array of {values.Count} values"), name, value);
                return false;
        }
    }

    private void ReadRepeated(IList list, FieldDescriptor field, JsonElement value, string path, string name)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            // Elasticsearch treats a lone value and a one-element array alike.
            AddItem(list, field, value, path, name, value);
            return;
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            AddItems(list, field, item, $"{path}[{i++}]", name, value);
        }
    }

    // Elasticsearch flattens nested arrays into one list of values.
    private void AddItems(IList list, FieldDescriptor field, JsonElement item, string path, string name, JsonElement whole)
    {
        if (item.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var inner in item.EnumerateArray())
            {
                AddItems(list, field, inner, $"{path}[{i++}]", name, whole);
            }

            return;
        }

        AddItem(list, field, item, path, name, whole);
    }

    private void AddItem(IList list, FieldDescriptor field, JsonElement item, string path, string name, JsonElement whole)
    {
        if (item.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Reject(new EcsValueProblem(path, "an object", Describe(item)), name, whole);
                return;
            }

            var message = field.MessageType.Parser.ParseFrom(ByteString.Empty);
            ReadObject(item, message, path, name);
            list.Add(message);
            return;
        }

        if (TryScalar(field, item, out var scalar, out var expected))
        {
            list.Add(scalar);
        }
        else
        {
            Reject(new EcsValueProblem(path, expected, Describe(item)), name, whole);
        }
    }

    private void ReadMap(IDictionary map, FieldDescriptor field, JsonElement value, string path, string name)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            Reject(new EcsValueProblem(path, "an object", Describe(value)), name, value);
            return;
        }

        var keyField = field.MessageType.FindFieldByNumber(1);
        var valueField = field.MessageType.FindFieldByNumber(2);
        foreach (var entry in value.EnumerateObject())
        {
            var entryPath = $"{path}.{entry.Name}";
            // Map keys are JSON property names, so they arrive as text whatever their proto type.
            using var keyDocument = JsonDocument.Parse(JsonSerializer.Serialize(entry.Name));
            if (!TryScalar(keyField, keyDocument.RootElement, out var key, out var keyExpected))
            {
                Reject(new EcsValueProblem(entryPath, $"a key that is {keyExpected}", Describe(keyDocument.RootElement)), Join(name, entry.Name), entry.Value);
                continue;
            }

            if (IsUnmappedMap(field))
            {
                // The map's own JSON form: values are JSON text, or any JSON value written in place.
                map[key] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : Compact(entry.Value);
            }
            else if (TryScalar(valueField, entry.Value, out var mapValue, out var expected))
            {
                map[key] = mapValue;
            }
            else
            {
                Reject(new EcsValueProblem(entryPath, expected, Describe(entry.Value)), Join(name, entry.Name), entry.Value);
            }
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

    /// <summary>A value that cannot be coerced: its typed reason is reported and the value itself kept unmapped.</summary>
    private void Reject(EcsValueProblem problem, string name, JsonElement value)
    {
        this.report.AddProblem(problem);
        Store(name, value, countAsUnmapped: false);
    }

    /// <summary>A field the contract has no place for: objects are flattened to their leaves, each kept under its dotted name.</summary>
    private void KeepUnknown(string name, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    KeepUnknown(Join(name, property.Name), property.Value);
                }

                return;
            default:
                Store(name, value, countAsUnmapped: true);
                return;
        }
    }

    private void Store(string name, JsonElement value, bool countAsUnmapped)
    {
        var text = Compact(value);
        var fits = this.unmapped is not null
                   && name.Length <= UnmappedFields.MaxKeyLength
                   && text.Length <= UnmappedFields.MaxValueLength
                   && (this.unmapped.Count < UnmappedFields.MaxEntries || this.unmapped.Contains(name));
        if (!fits)
        {
            this.report.AddOverflow(name);
            return;
        }

        this.unmapped![name] = text;
        if (countAsUnmapped)
        {
            this.report.AddUnmapped(name);
        }
    }

    private static string Compact(JsonElement value)
    {
        if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return value.GetRawText();
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, EcsJson.WriterOptions))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

    private static string Join(string prefix, string[] keys, int from) =>
        from >= keys.Length ? prefix : $"{prefix}.{string.Join('.', keys, from, keys.Length - from)}";

    private static bool TryScalar(FieldDescriptor field, JsonElement value, out object result, out string expected)
    {
        expected = Kind(field);
        object? parsed = field.FieldType switch
        {
            FieldType.String => ReadString(value),
            FieldType.Bool => ReadBoolean(value),
            FieldType.Int64 when EcsFieldNaming.IsDate(field) => ReadDate(value),
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => ReadInteger(value, long.MinValue, long.MaxValue),
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => (int?)ReadInteger(value, int.MinValue, int.MaxValue),
            FieldType.UInt32 or FieldType.Fixed32 => (uint?)ReadInteger(value, 0, uint.MaxValue),
            FieldType.UInt64 or FieldType.Fixed64 => ReadUnsigned64(value),
            FieldType.Double => ReadFloating(value),
            FieldType.Float => (float?)ReadFloating(value),
            FieldType.Bytes => ReadBytes(value),
            FieldType.Enum => ReadEnum(field, value),
            _ => null,
        };
        result = parsed!;
        return parsed is not null;
    }

    /// <summary>What a field takes, in words, for typed reasons.</summary>
    private static string Kind(FieldDescriptor field) => field.FieldType switch
    {
        _ when field.IsMap => "an object of key-value pairs",
        FieldType.Message or FieldType.Group => "an object",
        FieldType.String => "a string",
        FieldType.Bool => "true or false",
        FieldType.Int64 when EcsFieldNaming.IsDate(field) => "an ISO-8601 date-time or epoch milliseconds",
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => "a 64-bit integer",
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => "a 32-bit integer",
        FieldType.UInt32 or FieldType.Fixed32 => "an unsigned 32-bit integer",
        FieldType.UInt64 or FieldType.Fixed64 => "an unsigned 64-bit integer",
        FieldType.Double or FieldType.Float => "a number",
        FieldType.Bytes => "base64 text",
        FieldType.Enum => $"a value of enum {field.EnumType.Name}",
        _ => $"proto type {field.FieldType}",
    };

    // Elasticsearch indexes a number or boolean sent to a keyword field as its text (user.id 501 -> "501").
    private static string? ReadString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static bool? ReadBoolean(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
        _ => null,
    };

    private static long? ReadDate(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var millis))
        {
            return MillisToNanos(millis);
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
                return MillisToNanos(millis);
            }
        }

        return null;
    }

    // Decimal keeps epoch milliseconds exact down to the nanosecond, which a double cannot.
    private static long? MillisToNanos(decimal millis)
    {
        const decimal limit = long.MaxValue / NanosPerMilli;
        return millis is >= -limit and <= limit ? (long)decimal.Round(millis * NanosPerMilli) : null;
    }

    /// <summary>
    /// An integer from a JSON number or numeric text (proto3's canonical JSON writes 64-bit integers as strings). Like
    /// Elasticsearch's default <c>coerce</c>, a fractional value is truncated toward zero; out of range is rejected.
    /// </summary>
    private static long? ReadInteger(JsonElement value, long min, long max)
    {
        decimal number;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetInt64(out var whole):
                return whole >= min && whole <= max ? whole : null;
            case JsonValueKind.Number when value.TryGetDecimal(out number):
                break;
            case JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var parsed):
                return parsed >= min && parsed <= max ? parsed : null;
            case JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number):
                break;
            default:
                return null;
        }

        var truncated = decimal.Truncate(number);
        return truncated >= min && truncated <= max ? (long)truncated : null;
    }

    private static ulong? ReadUnsigned64(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetUInt64(out var n) => n,
        JsonValueKind.String when ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    private static double? ReadFloating(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static ByteString? ReadBytes(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.TryGetBytesFromBase64(out var bytes) ? ByteString.CopyFrom(bytes) : null;

    private static object? ReadEnum(FieldDescriptor field, JsonElement value)
    {
        var number = value.ValueKind switch
        {
            JsonValueKind.String => field.EnumType.FindValueByName(value.GetString()!)?.Number,
            JsonValueKind.Number when value.TryGetInt32(out var n) => n,
            _ => null,
        };
        return number is { } known ? Enum.ToObject(field.EnumType.ClrType, known) : null;
    }

    private static string Describe(JsonElement actual)
    {
        var shown = actual.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => $"an array of {actual.GetArrayLength()} values",
            _ => actual.GetRawText(),
        };
        return shown.Length > 80 ? shown[..80] + "..." : shown;
    }
}
