using Vigil.Adapters;

namespace Vigil.Cli;

/// <summary>What a backtest could not use from its input: malformed lines, rejected documents per reason, and source fields not kept per name.</summary>
internal sealed class BacktestInputReport
{
    private readonly Dictionary<RejectionReason, long> rejected = [];
    private readonly Dictionary<string, long> notKept = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> derived = new(StringComparer.Ordinal);

    public long Malformed { get; set; }

    public long Rejected => rejected.Values.Sum();

    public void Add(AdaptResult result)
    {
        foreach (var rejection in result.Rejections)
        {
            rejected[rejection.Reason] = rejected.GetValueOrDefault(rejection.Reason) + 1;
        }

        foreach (var (field, count) in result.UnmappedFields)
        {
            notKept[field] = notKept.GetValueOrDefault(field) + count;
        }

        foreach (var (derivation, count) in result.DerivedFields)
        {
            derived[derivation] = derived.GetValueOrDefault(derivation) + count;
        }
    }

    public async Task WriteAsync(TextWriter stderr)
    {
        foreach (var (reason, count) in rejected.OrderByDescending(p => p.Value).ThenBy(p => p.Key))
        {
            await stderr.WriteLineAsync($"  rejected {count} document(s): {reason.Name()}");
        }

        foreach (var (derivation, count) in derived.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            await stderr.WriteLineAsync($"  filled {count} event(s): {derivation}");
        }

        foreach (var (field, count) in notKept.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            await stderr.WriteLineAsync($"  not kept {count}x: {field}");
        }
    }
}
