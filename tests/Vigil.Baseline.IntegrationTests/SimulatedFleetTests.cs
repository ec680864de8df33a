using Vigil.Baseline.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;
using Vigil.Testing;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// The simulator's AN1227 scenarios against a baseline that learned from the same fleet's ordinary day: the attacks
/// (Automator or osascript driving python or curl to a new protocol or a bulk upload) alert, the look-alikes
/// (automation posting a short status over HTTPS) and the background do not.
/// </summary>
public sealed class SimulatedFleetTests(RedisServer redis)
{
    private static readonly string[] Scenarios =
    [
        "an1227-automator-python-raw-socket",
        "an1227-osascript-curl-ftp",
        "an1227-osascript-curl-bulk-upload",
        "an1227-automator-small-https",
        "an1227-osascript-small-https",
    ];

    [Fact]
    public async Task TheSimulatorsAutomationAttacksAlertAndItsBenignAutomationDoesNot()
    {
        var (events, truth) = await SimulateAsync();
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        foreach (var chunk in events.Chunk(5_000))
        {
            await stack.PublishAsync(chunk);
        }

        await stack.DrainAsync(baseline, [.. events.Select(e => e.Host.Id).Distinct()]);
        var alerts = stack.Alerts.Alerts;
        var alertedEvents = alerts.SelectMany(a => a.Evidence.Select(e => e.Event.Event.Id)).ToHashSet();

        var malicious = truth.Where(t => t.Label == ScenarioLabel.Malicious).ToList();
        var benign = truth.Where(t => t.Label == ScenarioLabel.Benign).ToList();
        Assert.Equal(6, malicious.Count);
        Assert.Equal(4, benign.Count);
        Assert.All(malicious, t => Assert.True(t.EvidenceEventIds.Any(alertedEvents.Contains), $"{t.Scenario} on {t.HostName} was not detected: {t.Description}"));
        Assert.All(benign, t => Assert.False(t.EventIds.Any(alertedEvents.Contains), $"{t.Scenario} on {t.HostName} alerted: {t.Description}"));

        // Every alert belongs to an attack, and an automation-driven one is marked as such.
        var attackEvents = malicious.SelectMany(t => t.EventIds).ToHashSet();
        Assert.All(alerts, a => Assert.True(a.Evidence.All(e => attackEvents.Contains(e.Event.Event.Id)), $"false positive: {a.Reason}"));
        Assert.All(alerts, a => Assert.Equal("high", a.Rule.Severity));
        Assert.Contains(alerts, a => a.Rule.Id == BaselineRules.NewProtocolId && a.Reason.Contains("tcp/raw/registered", StringComparison.Ordinal));
        Assert.Contains(alerts, a => a.Rule.Id == BaselineRules.NewProtocolId && a.Reason.Contains("tcp/ftp/well-known", StringComparison.Ordinal));
        Assert.Contains(alerts, a => a.Rule.Id == BaselineRules.VolumeId && a.Reason.Contains("curl", StringComparison.Ordinal));
    }

    /// <summary>
    /// Twenty Macs for 20 minutes of event time; after 15 minutes of ordinary work every AN1227 scenario is injected
    /// twice, each on its own host.
    /// </summary>
    private static async Task<(List<TelemetryEvent> Events, List<GroundTruthRecord> Truth)> SimulateAsync()
    {
        var options = new FleetSimulationOptions
        {
            Seed = 3,
            Hosts = 20,
            EventsPerSecond = 30,
            Duration = TimeSpan.FromMinutes(20),
            ScenarioInterval = TimeSpan.Zero,
        };
        var truth = new GroundTruthList();
        var simulation = new FleetSimulation(options, truth);
        var sink = new InjectingSink(simulation, options.StartTime.AddMinutes(15));
        await simulation.RunAsync(sink, TestContext.Current.CancellationToken);
        return (sink.Events, truth.Records);
    }

    private sealed class InjectingSink(FleetSimulation simulation, DateTimeOffset injectAt) : ITelemetrySink
    {
        private readonly long injectAtNanos = injectAt.ToUnixTimeMilliseconds() * 1_000_000;
        private bool injected;

        public List<TelemetryEvent> Events { get; } = [];

        public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
        {
            Events.AddRange(batch);
            if (!injected && batch.Count > 0 && batch[^1].Timestamp >= injectAtNanos)
            {
                injected = true;
                var host = 0;
                foreach (var scenario in Scenarios.Concat(Scenarios))
                {
                    simulation.InjectScenario(scenario, host++);
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class GroundTruthList : IGroundTruthSink
    {
        public List<GroundTruthRecord> Records { get; } = [];

        public ValueTask WriteAsync(GroundTruthRecord record, CancellationToken cancellationToken)
        {
            Records.Add(record);
            return ValueTask.CompletedTask;
        }
    }
}
