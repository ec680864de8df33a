using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim;

/// <summary>
/// What to simulate. Seed and options fully determine the event stream and ground truth (ids, order, payloads);
/// live pacing only moves timestamps to the wall clock.
/// </summary>
public sealed record FleetSimulationOptions
{
    public ulong Seed { get; init; } = 1;

    /// <summary>Number of simulated Macs (host indexes 0..Hosts-1); described lazily, so millions cost nothing up front.</summary>
    public int Hosts { get; init; } = 50;

    /// <summary>Mean rate of background events for the whole fleet; scenario events come on top.</summary>
    public double EventsPerSecond { get; init; } = 200;

    /// <summary>Stop once event timestamps reach start + Duration (null: no time limit).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stop after exactly this many events (null: no count limit).</summary>
    public long? MaxEvents { get; init; }

    public PacingMode Pacing { get; init; } = PacingMode.Offline;

    /// <summary>First timestamp in offline mode.</summary>
    public DateTimeOffset StartTime { get; init; } = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A scheduled scenario starts every interval of simulated time (null or zero: only on demand).</summary>
    public TimeSpan? ScenarioInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of scheduled scenarios that are attacks; the rest are benign look-alikes.</summary>
    public double MaliciousShare { get; init; } = 0.5;

    /// <summary>Analytics scheduled scenarios are drawn from (e.g. AN0167, installer-network); empty means all.</summary>
    public IReadOnlyList<string> Analytics { get; init; } = [];

    /// <summary>Scenario names scheduled scenarios are drawn from; empty means all (within <see cref="Analytics"/>).</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = [];

    /// <summary>
    /// Largest delay between a host's sources: each host's process, file and network events get a fixed lag in
    /// [0, MaxSourceSkew], so they leave out of timestamp order by up to this much. Zero keeps timestamp order.
    /// </summary>
    public TimeSpan MaxSourceSkew { get; init; } = TimeSpan.Zero;

    /// <summary>Largest batch handed to the sink (live mode also flushes whenever it waits for the clock).</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Require(Hosts >= 1, nameof(Hosts), "must be at least 1");
        Require(double.IsFinite(EventsPerSecond) && EventsPerSecond > 0, nameof(EventsPerSecond), "must be a positive number");
        Require(Duration is null || Duration > TimeSpan.Zero, nameof(Duration), "must be positive");
        Require(MaxEvents is null || MaxEvents > 0, nameof(MaxEvents), "must be positive");
        Require(ScenarioInterval is null || ScenarioInterval >= TimeSpan.Zero, nameof(ScenarioInterval), "must not be negative");
        Require(MaliciousShare is >= 0 and <= 1, nameof(MaliciousShare), "must be between 0 and 1");
        Require(MaxSourceSkew >= TimeSpan.Zero, nameof(MaxSourceSkew), "must not be negative");
        Require(BatchSize >= 1, nameof(BatchSize), "must be at least 1");
        foreach (var analytic in Analytics)
        {
            Require(ScenarioPlaybook.AnalyticIds.Contains(analytic, StringComparer.OrdinalIgnoreCase), nameof(Analytics),
                $"'{analytic}' is not one of {string.Join(", ", ScenarioPlaybook.AnalyticIds)}");
        }

        foreach (var scenario in Scenarios)
        {
            Require(ScenarioPlaybook.Find(scenario) is not null, nameof(Scenarios), $"'{scenario}' is not a known scenario");
        }

        Require(ScenarioInterval is null || ScenarioInterval == TimeSpan.Zero || SchedulablePlays().Count > 0, nameof(Scenarios),
            "no scenario matches both the analytics and scenario filters");
    }

    internal IReadOnlyList<ScenarioPlay> SchedulablePlays() => ScenarioPlaybook.Plays
        .Where(p => Analytics.Count == 0 || Analytics.Contains(p.Definition.AnalyticId, StringComparer.OrdinalIgnoreCase))
        .Where(p => Scenarios.Count == 0 || Scenarios.Contains(p.Definition.Name, StringComparer.OrdinalIgnoreCase))
        .ToArray();

    private static void Require(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"{option} {problem}.", option);
        }
    }
}
