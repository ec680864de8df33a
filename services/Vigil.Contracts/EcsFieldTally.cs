namespace Vigil.Contracts;

/// <summary>
/// Per-field counts over many <see cref="EcsReadReport"/>s: which source fields were kept in the unmapped map, which
/// could not be kept at all, and which values could not be coerced. What a backtest prints after reading an export.
/// </summary>
public sealed class EcsFieldTally
{
    private readonly Dictionary<string, long> unmapped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> overflow = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> problems = new(StringComparer.Ordinal);

    /// <summary>Documents added.</summary>
    public long Documents { get; private set; }

    /// <summary>Field name to the number of documents that carried it unmapped.</summary>
    public IReadOnlyDictionary<string, long> Unmapped => unmapped;

    /// <summary>Field name to the number of times it was beyond the unmapped bound and not kept.</summary>
    public IReadOnlyDictionary<string, long> Overflow => overflow;

    /// <summary>Field path (array positions removed, e.g. <c>process.args</c>) to the number of values that could not be coerced.</summary>
    public IReadOnlyDictionary<string, long> Problems => problems;

    public void Add(EcsReadReport report)
    {
        Documents++;
        foreach (var name in report.Unmapped)
        {
            Increment(unmapped, name);
        }

        foreach (var name in report.Overflow)
        {
            Increment(overflow, name);
        }

        foreach (var problem in report.Problems)
        {
            Increment(problems, FieldOf(problem.Path));
        }
    }

    /// <summary><c>$.process.args[2]</c> as the field name <c>process.args</c>.</summary>
    public static string FieldOf(string jsonPath)
    {
        var text = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
        var bracket = text.IndexOf('[', StringComparison.Ordinal);
        while (bracket >= 0)
        {
            var close = text.IndexOf(']', bracket);
            text = close < 0 ? text[..bracket] : text[..bracket] + text[(close + 1)..];
            bracket = text.IndexOf('[', StringComparison.Ordinal);
        }

        return text;
    }

    private static void Increment(Dictionary<string, long> counts, string name) =>
        counts[name] = counts.GetValueOrDefault(name) + 1;
}
