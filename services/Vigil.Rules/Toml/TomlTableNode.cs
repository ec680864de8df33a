using Vigil.Eql;

namespace Vigil.Rules.Toml;

/// <summary>A TOML table whose keys remember where they were written, so rule errors can point at them.</summary>
internal sealed class TomlTableNode(SourceLocation location)
{
    private readonly Dictionary<string, (SourceLocation KeyLocation, TomlNode Node)> entries = new(StringComparer.Ordinal);

    public SourceLocation Location { get; } = location;

    public IEnumerable<string> Keys => entries.Keys;

    public bool TryGet(string key, out TomlNode node)
    {
        var found = entries.TryGetValue(key, out var entry);
        node = entry.Node!;
        return found;
    }

    public SourceLocation KeyLocation(string key) => entries.TryGetValue(key, out var entry) ? entry.KeyLocation : Location;

    /// <summary>Adds a key; false if the table already has it (TOML forbids defining a key twice).</summary>
    public bool TryAdd(string key, SourceLocation keyLocation, TomlNode node) => entries.TryAdd(key, (keyLocation, node));
}
