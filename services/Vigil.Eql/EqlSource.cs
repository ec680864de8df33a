namespace Vigil.Eql;

/// <summary>
/// EQL text and where it came from. <paramref name="FirstLine"/> and <paramref name="FirstColumn"/> say where the
/// text starts inside <paramref name="Name"/> (for a query embedded in a rule file), so diagnostics point into that file.
/// </summary>
public sealed record EqlSource(string Name, string Text, int FirstLine = 1, int FirstColumn = 1)
{
    /// <summary>A query typed directly, named "query".</summary>
    public static EqlSource Inline(string text) => new("query", text);

    /// <summary>Maps a 1-based line and column inside <see cref="Text"/> to a location inside the named source.</summary>
    public SourceLocation Locate(int line, int column) =>
        new(Name, FirstLine + line - 1, line == 1 ? FirstColumn + column - 1 : column);
}
