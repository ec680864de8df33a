namespace Vigil.Eql.Syntax;

/// <summary>Parses EQL text (Elasticsearch dialect) into an <see cref="EqlQuery"/>; throws <see cref="EqlException"/> on the first syntax error.</summary>
public static class EqlParser
{
    public static EqlQuery Parse(EqlSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tokens = new Lexer(source).Tokenize();
        return new QueryParser(source, tokens).ParseQuery();
    }

    /// <summary>Parses a query typed inline (diagnostics name the source "query").</summary>
    public static EqlQuery Parse(string text) => Parse(EqlSource.Inline(text));
}
