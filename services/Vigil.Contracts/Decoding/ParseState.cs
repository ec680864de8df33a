using Google.Protobuf;

namespace Vigil.Contracts.Decoding;

/// <summary>What one thread's selective parses reuse: the string caches, the message pools and the payload arena.</summary>
internal sealed class ParseState(int cachedFields, IReadOnlyList<(Func<IMessage> Create, Action<IMessage> Reset)> pools)
{
    public Utf8Strings Strings { get; } = new(cachedFields);

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
