using StackExchange.Redis;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.Testing;

namespace Vigil.Correlator.Benchmarks;

/// <summary>
/// The correlator's route for the installer-network pack, without Kafka: router → owned states → engine → Redis state
/// store on the given connection, under a clock the benchmark steps by hand, one batch at a time as the handler runs it
/// (one reused batch).
/// </summary>
internal sealed class InstallerRoute
{
    private readonly CorrelationBatch batch = new();
    private readonly EventRouter router;

    public InstallerRoute(IConnectionMultiplexer connection, EngineDefaults defaults)
    {
        Pack = AnalyticPack.Load("installer-network", Path.Combine(TestPaths.RepoRoot, "rules", "installer-network"), defaults);
        var metrics = new CorrelatorMetrics(IsolatedMetrics.Factory());
        Keys = new CorrelatorKeys(new RedisKeys("vigil"), Pack.Analytic);
        Store = new CorrelationStateStore(connection, Keys, new CorrelatorOptions { Analytic = Pack.Analytic }, metrics);
        Clock = new SteppedClock(DateTimeOffset.FromUnixTimeMilliseconds(Installer.T0 / 1_000_000));
        Owned = new OwnedStates(Store, Clock);
        router = new EventRouter(Pack, metrics);
        Engine = new CorrelationEngine(Pack, Clock, metrics);
    }

    public AnalyticPack Pack { get; }

    public CorrelatorKeys Keys { get; }

    public CorrelationStateStore Store { get; }

    public SteppedClock Clock { get; }

    public OwnedStates Owned { get; }

    public CorrelationEngine Engine { get; }

    /// <summary>The state key of <paramref name="host"/> under the pack's one rule.</summary>
    public StateKey KeyOf(string host) => new(Pack.Rules.Single(), host);

    /// <summary>One batch of records down the route, committed.</summary>
    public async Task StepAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> records)
    {
        router.Route(records, batch);
        await Owned.LoadAsync(batch.WantWork(), batch.Loaded);
        Engine.Advance(batch, batch.Loaded);
        await Owned.CommitAsync(Engine.Seal(batch), batch.HeldChanges);
        batch.Clear();
    }

    /// <summary>Moves the clock past the lateness and releases every held state, <paramref name="batchSize"/> at a time.</summary>
    public async Task ReleaseQuietAsync(int batchSize)
    {
        Clock.Now += TimeSpan.FromSeconds(3);
        var quiet = Engine.Held.TakeDue(Clock.GetUtcNow());
        for (var start = 0; start < quiet.Count; start += batchSize)
        {
            var taken = quiet.GetRange(start, Math.Min(batchSize, quiet.Count - start));
            batch.Clear();
            foreach (var state in taken)
            {
                batch.Wanted.Add((state.Key, state.Partition.Partition));
            }

            await Owned.LoadAsync(batch.Wanted, batch.Loaded);
            Engine.Release(batch, taken, batch.Loaded);
            await Owned.CommitAsync(Engine.Seal(batch), batch.HeldChanges);
        }

        batch.Clear();
    }
}
