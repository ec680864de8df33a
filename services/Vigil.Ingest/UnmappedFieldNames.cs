namespace Vigil.Ingest;

/// <summary>
/// Caps the distinct field names a format may put in the unmapped-fields metric: the first <c>limit</c> names keep
/// their own series, later ones are counted under <see cref="Overflow"/>, so label cardinality stays bounded.
/// </summary>
internal sealed class UnmappedFieldNames(int limit)
{
    public const string Overflow = "_other";

    private readonly HashSet<string> named = new(StringComparer.Ordinal);

    /// <summary>The label to count <paramref name="field"/> under.</summary>
    public string Label(string field)
    {
        if (named.Contains(field))
        {
            return field;
        }

        return named.Count < limit && named.Add(field) ? field : Overflow;
    }
}
