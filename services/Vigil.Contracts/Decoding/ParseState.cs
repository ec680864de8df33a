using Google.Protobuf;

namespace Vigil.Contracts.Decoding;

/// <summary>What one parser's parses on one thread reuse: the string caches (the thread's, see <see cref="CompiledPlans.Strings"/>), the message pools and the payload arena.</summary>
internal sealed class ParseState(Utf8Strings strings, IReadOnlyList<(Func<IMessage> Create, Action<IMessage> Reset)> pools)
{
    /// <summary>This thread's caches of the selection's plans, shared with the other parsers of it on the same thread.</summary>
    public Utf8Strings Strings { get; } = strings;

    public MessagePool[] Pools { get; } = [.. pools.Select(p => new MessagePool(p.Create, p.Reset))];

    public PayloadArena Arena { get; } = new();

    /// <summary>The batch is done with: its payloads and its partial messages may be reused.</summary>
    public void Release()
    {
        foreach (var pool in Pools)
        {
            pool.Release();
        }

        Arena.Release();
    }
}
