namespace Vigil.Eql.Sequences;

/// <summary>
/// The join key values of an event for one step (the sequence's shared "by" fields, then the step's own), as text.
/// Numbers and booleans are written invariantly; a multi-valued field is its values joined by U+001F. A null component
/// appears only for an optional ("?field") key.
/// </summary>
public sealed class JoinKey : IEquatable<JoinKey>
{
    internal const char ListSeparator = '\u001f';

    private readonly string?[] values;
    private readonly int hash;

    public JoinKey(IReadOnlyList<string?> values)
        : this(values.ToArray())
    {
    }

    /// <summary>A key over <paramref name="values"/> itself (not copied): the caller hands the array over.</summary>
    internal JoinKey(string?[] values)
    {
        this.values = values;
        var hash = new HashCode();
        foreach (var value in this.values)
        {
            hash.Add(value, StringComparer.Ordinal);
        }

        this.hash = hash.ToHashCode();
    }

    /// <summary>The key of a sequence without "by" fields: every event shares it.</summary>
    public static JoinKey Empty { get; } = new([]);

    public IReadOnlyList<string?> Values => this.values;

    /// <summary>
    /// The name of the state field of this key's partial sequences, once a state write made it: a key's partials are
    /// written on every change, and the key object lives as long as they do.
    /// </summary>
    internal byte[]? PartialFieldName { get; set; }

    public bool Equals(JoinKey? other) =>
        other is not null && this.hash == other.hash && this.values.AsSpan().SequenceEqual(other.values, StringComparer.Ordinal);

    public override bool Equals(object? obj) => obj is JoinKey other && Equals(other);

    public override int GetHashCode() => this.hash;

    public override string ToString() => "(" + string.Join(", ", this.values.Select(v => v ?? "null")) + ")";
}
