using System.Collections;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Vigil.Contracts;

/// <summary>Writes a message as ECS JSON by walking its descriptor; see <see cref="EcsJson"/> for the layout.</summary>
internal static class EcsJsonWriter
{
    public static void WriteMessage(Utf8JsonWriter writer, IMessage message)
    {
        writer.WriteStartObject();
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (!IsSet(field, message, value))
            {
                continue;
            }

            if (field.IsMap && field.Name == "unmapped" && value is IDictionary<string, string> unmapped)
            {
                WriteUnmapped(writer, unmapped);
                continue;
            }

            writer.WritePropertyName(EcsFieldNaming.KeyOf(field));
            if (field.IsMap)
            {
                WriteMap(writer, field, (IDictionary)value);
            }
            else if (field.IsRepeated)
            {
                writer.WriteStartArray();
                foreach (var item in (IList)value)
                {
                    WriteSingle(writer, field, item);
                }

                writer.WriteEndArray();
            }
            else
            {
                WriteSingle(writer, field, value);
            }
        }

        writer.WriteEndObject();
    }

    private static bool IsSet(FieldDescriptor field, IMessage message, object? value)
    {
        if (field.IsMap || field.IsRepeated)
        {
            return ((ICollection)value!).Count > 0;
        }

        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            return value is not null;
        }

        if (field.HasPresence)
        {
            return field.Accessor.HasValue(message);
        }

        return value switch
        {
            string s => s.Length > 0,
            ByteString b => b.Length > 0,
            bool b => b,
            int i => i != 0,
            long l => l != 0,
            uint u => u != 0,
            ulong u => u != 0,
            double d => d != 0 || double.IsNegative(d),
            float f => f != 0 || float.IsNegative(f),
            Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) != 0,
            _ => value is not null,
        };
    }

    /// <summary>
    /// Source fields the contract had no place for go back under their own dotted names, so a document read and written
    /// again keeps them where its source had them. A value that is not JSON text (set by hand) is written as a string.
    /// </summary>
    private static void WriteUnmapped(Utf8JsonWriter writer, IDictionary<string, string> unmapped)
    {
        foreach (var (name, json) in unmapped)
        {
            writer.WritePropertyName(name);
            if (IsJsonValue(json))
            {
                writer.WriteRawValue(json, skipInputValidation: true);
            }
            else
            {
                writer.WriteStringValue(json);
            }
        }
    }

    private static bool IsJsonValue(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        try
        {
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void WriteMap(Utf8JsonWriter writer, FieldDescriptor field, IDictionary map)
    {
        var valueField = field.MessageType.FindFieldByNumber(2);
        writer.WriteStartObject();
        foreach (DictionaryEntry entry in map)
        {
            writer.WritePropertyName(entry.Key is bool b ? (b ? "true" : "false") : Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!);
            WriteSingle(writer, valueField, entry.Value);
        }

        writer.WriteEndObject();
    }

    private static void WriteSingle(Utf8JsonWriter writer, FieldDescriptor field, object? value)
    {
        switch (value)
        {
            case IMessage message:
                WriteMessage(writer, message);
                break;
            case long l when EcsFieldNaming.IsDate(field):
                writer.WriteStringValue(EcsTimestamp.Format(l));
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case uint u:
                writer.WriteNumberValue(u);
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case double or float:
                // JSON has no literal for NaN or infinities; Elasticsearch accepts these strings for numeric fields.
                writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ByteString bytes:
                writer.WriteStringValue(bytes.ToBase64());
                break;
            case Enum e:
                var number = Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture);
                var name = field.EnumType.FindValueByNumber(number)?.Name;
                if (name is null)
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    writer.WriteStringValue(name);
                }

                break;
            default:
                throw new NotSupportedException($"Field {field.FullName} holds a {value?.GetType().Name ?? "null"}, which has no ECS JSON form.");
        }
    }
}
