using Vigil.Adapters;

namespace Vigil.Cli;

/// <summary>What a backtest could not use from its input: malformed lines, rejected documents per reason, and source fields not kept per name.</summary>
internal sealed class BacktestInputReport
{
    private readonly Dictionary<RejectionReason, long> rejected = [];
    private readonly Dictionary<string, long> notKept = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> derived = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> dropped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> invalid = new(StringComparer.Ordinal);

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

        Merge(derived, result.DerivedFields);
        Merge(dropped, result.DroppedFields);
        Merge(invalid, result.InvalidValues);
    }

    private static void Merge(Dictionary<string, long> into, Dictionary<string, int> counts)
    {
        foreach (var (name, count) in counts)
        {
            into[name] = into.GetValueOrDefault(name) + count;
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

        await WriteFieldsAsync(stderr, dropped, "not kept (beyond the unmapped bound)");
        await WriteFieldsAsync(stderr, invalid, "invalid value (kept unmapped)");
        await WriteFieldsAsync(stderr, notKept, "no contract field (kept unmapped)");
    }

    private static async Task WriteFieldsAsync(TextWriter stderr, Dictionary<string, long> counts, string what)
    {
        foreach (var (field, count) in counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            await stderr.WriteLineAsync($"  {what} {count}x: {field}");
        }
    }
}
