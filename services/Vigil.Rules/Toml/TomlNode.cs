using Vigil.Eql;

namespace Vigil.Rules.Toml;

/// <summary>A TOML value with where it was written: a string, long, double, bool, date text, list or table.</summary>
internal sealed record TomlNode(SourceLocation Location, object Value, string RawText = "")
{
    public string Kind => Value switch
    {
        string => "a string",
        long => "an integer",
        double => "a number",
        bool => "a boolean",
        IReadOnlyList<TomlNode> => "an array",
        TomlTableNode => "a table",
        _ => "a value",
    };
}
