namespace Vigil.Adapters;

/// <summary>
/// The source formats Vigil reads, by the name deploy/topics.json and <c>vigil backtest --format</c> use. Each call
/// creates a fresh adapter, since an adapter may keep per-source state (one instance per consumer or file).
/// </summary>
public static class AdapterCatalog
{
    private static readonly Dictionary<string, Func<ITelemetryAdapter>> Factories = new(StringComparer.Ordinal)
    {
        [ElasticAdapter.FormatName] = () => new ElasticAdapter(),
        [EsloggerAdapter.FormatName] = () => new EsloggerAdapter(),
    };

    /// <summary>Every format name with an adapter, sorted.</summary>
    public static IReadOnlyList<string> Formats { get; } = [.. Factories.Keys.Order(StringComparer.Ordinal)];

    public static bool IsKnown(string format) => Factories.ContainsKey(format);

    /// <summary>A new adapter for <paramref name="format"/>; throws naming the known formats when there is none.</summary>
    public static ITelemetryAdapter Create(string format) =>
        Factories.TryGetValue(format, out var create)
            ? create()
            : throw new ArgumentException($"No adapter for source format '{format}'; known formats: {string.Join(", ", Formats)}.", nameof(format));
}
