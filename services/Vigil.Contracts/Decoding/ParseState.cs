namespace Vigil.Contracts.Decoding;

/// <summary>What one thread's selective parses reuse: the string caches and the payload arena.</summary>
internal sealed class ParseState(int cachedFields)
{
    public Utf8Strings Strings { get; } = new(cachedFields);

    public PayloadArena Arena { get; } = new();
}
