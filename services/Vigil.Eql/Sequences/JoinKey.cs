using System.Collections;

namespace Vigil.Eql.Sequences;

/// <summary>
/// The join key values of an event for one step (the sequence's shared "by" fields, then the step's own), as text.
/// Numbers and booleans are written invariantly; a multi-valued field is its values joined by U+001F. A null component
/// appears only for an optional ("?field") key.
/// </summary>
/// <remarks>
/// A key is made for every event a step holds, and most keys have one or two components (host.id and one more field):
/// those are held in fields of the key itself, so such a key is one object, not an object and an array. Equality and
/// hash code depend only on the components, in order, however they are held.
/// </remarks>
public sealed class JoinKey : IEquatable<JoinKey>, IReadOnlyList<string?>
{
    internal const char ListSeparator = '\u001f';

    // The first two components (unused ones null); the components past the second only in a key of three or more.
    private readonly string? first;
    private readonly string? second;
    private readonly string?[]? more;
    private readonly int count;
    private readonly int hash;

    public JoinKey(IReadOnlyList<string?> values)
        : this(values.ToArray())
    {
    }

    /// <summary>A key over <paramref name="values"/> (kept, not copied, when it has three or more: the caller hands it over).</summary>
    internal JoinKey(string?[] values)
    {
        count = values.Length;
        if (count <= 2)
        {
            first = count > 0 ? values[0] : null;
            second = count > 1 ? values[1] : null;
        }
        else
        {
            more = values;
        }

        var hash = new HashCode();
        foreach (var value in values)
        {
            hash.Add(value, StringComparer.Ordinal);
        }

        this.hash = hash.ToHashCode();
    }

    /// <summary>A key of one component.</summary>
    internal JoinKey(string? first)
    {
        count = 1;
        this.first = first;
        var hash = new HashCode();
        hash.Add(first, StringComparer.Ordinal);
        this.hash = hash.ToHashCode();
    }

    /// <summary>A key of two components.</summary>
    internal JoinKey(string? first, string? second)
    {
        count = 2;
        this.first = first;
        this.second = second;
        var hash = new HashCode();
        hash.Add(first, StringComparer.Ordinal);
        hash.Add(second, StringComparer.Ordinal);
        this.hash = hash.ToHashCode();
    }

    /// <summary>The key of a sequence without "by" fields: every event shares it.</summary>
    public static JoinKey Empty { get; } = new([]);

    /// <summary>The components in order (the key itself: reading them allocates nothing).</summary>
    public IReadOnlyList<string?> Values => this;

    /// <summary>How many components the key has.</summary>
    public int Count => count;

    /// <summary>The component at <paramref name="index"/>.</summary>
    public string? this[int index] => more is not null
        ? more[index]
        : (uint)index < (uint)count
            ? (index == 0 ? first : second)
            : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>
    /// The name of the state field of this key's partial sequences, once a state write made it: a key's partials are
    /// written on every change, and the key object lives as long as they do.
    /// </summary>
    internal byte[]? PartialFieldName { get; set; }

    public bool Equals(JoinKey? other)
    {
        if (other is null || this.hash != other.hash || this.count != other.count)
        {
            return false;
        }

        if (this.more is not null)
        {
            return this.more.AsSpan().SequenceEqual(other.more, StringComparer.Ordinal);
        }

        return string.Equals(this.first, other.first, StringComparison.Ordinal) && string.Equals(this.second, other.second, StringComparison.Ordinal);
    }

    public override bool Equals(object? obj) => obj is JoinKey other && Equals(other);

    public override int GetHashCode() => this.hash;

    public override string ToString()
    {
        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            parts[i] = this[i] ?? "null";
        }

        return "(" + string.Join(", ", parts) + ")";
    }

    IEnumerator<string?> IEnumerable<string?>.GetEnumerator()
    {
        for (var i = 0; i < count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<string?>)this).GetEnumerator();
}
