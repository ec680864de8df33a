namespace Vigil.Rules.ExceptionLists;

/// <summary>A JSON object whose keys remember their column (the first definition of a repeated key stands).</summary>
internal sealed class LocatedJsonObject
{
    private readonly Dictionary<string, (int KeyColumn, LocatedJson Value)> members = new(StringComparer.Ordinal);

    public IEnumerable<string> Keys => members.Keys;

    public void Add(string name, int keyColumn, LocatedJson value) => members.TryAdd(name, (keyColumn, value));

    public bool TryGet(string name, out LocatedJson value)
    {
        var found = members.TryGetValue(name, out var member);
        value = member.Value!;
        return found;
    }

    public int KeyColumn(string name) => members.TryGetValue(name, out var member) ? member.KeyColumn : 1;
}
