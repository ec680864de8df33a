namespace Vigil.Console;

/// <summary>What the alert list is narrowed to; every set field must hold (host matches host.id or host.name).</summary>
public sealed record AlertFilter(string? Analytic, string? Rule, string? Severity, string? Host, string? User, string? Status)
{
    public static AlertFilter None { get; } = new(null, null, null, null, null, null);

    /// <summary>The index dimensions and values this filter selects, values normalised as they are indexed.</summary>
    public IEnumerable<(string Dimension, string Value)> Dimensions()
    {
        if (Normalise(Analytic) is { } analytic)
        {
            yield return (AlertIndex.Analytic, analytic);
        }

        if (Normalise(Rule) is { } rule)
        {
            yield return (AlertIndex.Rule, rule);
        }

        if (Normalise(Severity) is { } severity)
        {
            yield return (AlertIndex.Severity, severity);
        }

        if (Normalise(Host) is { } host)
        {
            yield return (AlertIndex.Host, host);
        }

        if (Normalise(User) is { } user)
        {
            yield return (AlertIndex.User, user);
        }

        if (Normalise(Status) is { } status)
        {
            yield return (AlertIndex.Status, status);
        }
    }

    /// <summary>Index values compare case-insensitively and without surrounding blanks.</summary>
    public static string? Normalise(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();
}
