using System.Text;
using System.Text.Json;

namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// A JSON value of one NDJSON line with the column it starts at, so errors in an exception list point at
/// file:line:column. <see cref="Value"/> is a string, double, bool, null, a list or a <see cref="LocatedJsonObject"/>.
/// </summary>
internal sealed record LocatedJson(object? Value, int Column)
{
    public string Kind => Value switch
    {
        null => "null",
        string => "a string",
        double => "a number",
        bool => "a boolean",
        List<LocatedJson> => "an array",
        LocatedJsonObject => "an object",
        _ => "a value",
    };

    /// <summary>Parses one line; throws <see cref="JsonException"/> with the column of the problem.</summary>
    public static LocatedJson Parse(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                throw new JsonException("empty line");
            }

            var value = ReadValue(ref reader, bytes);
            if (reader.Read())
            {
                throw new JsonException($"unexpected {reader.TokenType} after the document (column {ColumnAt(bytes, reader.TokenStartIndex)})");
            }

            return value;
        }
        catch (JsonException e) when (e.BytePositionInLine is { } position)
        {
            throw new JsonException($"{e.Message.Split(" LineNumber:")[0]} (column {ColumnAt(bytes, position)})", e);
        }
    }

    private static LocatedJson ReadValue(ref Utf8JsonReader reader, byte[] bytes)
    {
        var column = ColumnAt(bytes, reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new LocatedJsonObject();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var keyColumn = ColumnAt(bytes, reader.TokenStartIndex);
                    var name = reader.GetString()!;
                    reader.Read();
                    obj.Add(name, keyColumn, ReadValue(ref reader, bytes));
                }

                return new LocatedJson(obj, column);
            case JsonTokenType.StartArray:
                var items = new List<LocatedJson>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, bytes));
                }

                return new LocatedJson(items, column);
            case JsonTokenType.String:
                return new LocatedJson(reader.GetString(), column);
            case JsonTokenType.Number:
                return new LocatedJson(reader.GetDouble(), column);
            case JsonTokenType.True:
            case JsonTokenType.False:
                return new LocatedJson(reader.GetBoolean(), column);
            default:
                return new LocatedJson(null, column);
        }
    }

    // 1-based column in UTF-16 code units, as editors count them.
    private static int ColumnAt(byte[] bytes, long byteOffset) => Encoding.UTF8.GetCharCount(bytes, 0, (int)Math.Min(byteOffset, bytes.Length)) + 1;
}
