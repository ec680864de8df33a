using System.Text;
using Vigil.Adapters;
using Vigil.Detection;
using Vigil.FleetSim;
using Vigil.Messaging.Kafka;
using Vigil.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Vigil.Ingest.IntegrationTests;

/// <summary>Raw Elastic Agent documents through vigil-ingest to the correlators, on the embedded broker and a real redis-server.</summary>
public sealed class IngestEndToEndTests : RealStackTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task SimulatedScenariosShippedAsElasticAgentOutputRaiseTheAlertsOfTheirCanonicalEventsWithFullRecallAndNoFalsePositive()
    {
        var fleet = await SimulatedFleet.RunAsync(hosts: 12, duration: TimeSpan.FromMinutes(4));
        var pack = AnalyticPack.LoadAll(Path.Combine(TestPaths.RepoRoot, "rules"), TimeSpan.FromSeconds(2));
        var backtest = new Backtest(pack.Rules, new AlertFactory(TimeProvider.System, "expected"));
        var expectedAlerts = fleet.Events.SelectMany(backtest.Process).Concat(backtest.Finish()).ToList();
        var expected = expectedAlerts.Select(a => a.Id).ToHashSet();
        Assert.True(expected.Count >= 5, $"only {expected.Count} alerts expected from the canonical events");
        await using var stack = await IngestStack.StartAsync(Broker, Redis, "e2e");
        await stack.StartIngestAsync();
        await stack.StartCorrelatorsAsync();

        await stack.PublishRawAsync(fleet.Events.Select(e => ((string?)e.Host.Id, ElasticDocumentWriter.ToBytes(e))));
        // Every document is still on the broker, however late ingest gets to it: none was deleted to keep a partition
        // within the embedded broker's size limit (which would fail the count below only when ingest reads late).
        Assert.All(stack.RawStartOffsets(), start => Assert.Equal(0, start));

        // What ingest publishes is the simulator's own event, field for field, plus what Elastic Agent adds to every document.
        var canonical = stack.Telemetry(fleet.Events.Count, Patience).ToDictionary(e => e.Event.Id);
        Assert.Equal(fleet.Events.Count, canonical.Count);
        Assert.All(fleet.Events, e =>
        {
            var published = canonical[e.Event.Id];
            Assert.Equal("logs", published.DataStream.Type);
            Assert.Equal(published.Agent.Id, published.Elastic.Agent.Id);
            Assert.Empty(published.Unmapped);
            published.DataStream = null;
            published.Ecs = null;
            published.Elastic = null;
            Assert.Equal(e, published);
        });
        var alerts = stack.AlertsIncluding(expected, Patience);
        var missing = expectedAlerts.Where(a => !alerts.Any(b => b.Id == a.Id)).Select(Describe);
        var extra = alerts.Where(a => !expected.Contains(a.Id)).Select(Describe);
        // Every alert of the canonical events is raised through ingest. The streaming correlator may raise more than the
        // in-process backtest where a host's events straddle its lateness window; those are judged below like any alert.
        Assert.True(expected.IsSubsetOf(alerts.Select(a => a.Id)), $"missing: {string.Join("; ", missing)}\nextra: {string.Join("; ", extra)}");

        var scenarioOf = fleet.GroundTruth.SelectMany(r => r.EventIds.Select(id => (id, r))).ToDictionary(p => p.id, p => p.r);
        // AN1227 belongs to the baseline service, not to a correlator: its scenarios only count as look-alike traps here.
        var attacks = fleet.GroundTruth
            .Where(r => r.Label == ScenarioLabel.Malicious && r.Complete && IngestStack.Analytics.Contains(r.AnalyticId, StringComparer.OrdinalIgnoreCase))
            .ToList();
        Assert.NotEmpty(attacks);
        static bool Detects(Vigil.Contracts.Alerts.Alert a, GroundTruthRecord attack) =>
            string.Equals(a.Rule.AnalyticId, attack.AnalyticId, StringComparison.OrdinalIgnoreCase) && a.Evidence.Any(e => attack.EventIds.Contains(e.Event.Event.Id));
        // Recall through ingest is at least the canonical events' recall, attack by attack.
        foreach (var attack in attacks.Where(attack => expectedAlerts.Any(a => Detects(a, attack))))
        {
            Assert.Contains(alerts, a => Detects(a, attack));
        }

        foreach (var alert in alerts)
        {
            var cited = alert.Evidence.Select(e => scenarioOf.GetValueOrDefault(e.Event.Event.Id)).OfType<GroundTruthRecord>().ToList();
            Assert.True(cited.Count > 0 && cited.All(r => r.Label == ScenarioLabel.Malicious), $"false positive: {alert.Rule.Name} on {alert.Host.Id}");
        }
    }

    /// <summary>The value of one series in a Prometheus text exposition, or null when the series is absent.</summary>
    private static double? Sample(string exposition, string series) =>
        exposition.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => (double?)double.Parse(l.AsSpan(series.Length + 1), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();

    private static string Describe(Vigil.Contracts.Alerts.Alert a) =>
        $"{a.Rule.Name} on {a.Host.Id} [{string.Join(",", a.Evidence.Select(e => e.Event.Event.Id))}]";

    [Fact]
    public async Task MalformedDocumentsReachTheDeadLetterTopicOnceWithTheirReasonAndGoodHitsOfTheSameRecordGoThrough()
    {
        await using var stack = await IngestStack.StartAsync(Broker, Redis, "dlq");
        await stack.StartIngestAsync();
        var malformed = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "malformed.ndjson"));
        var searchResponse = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "search-response.json"));

        await stack.PublishRawAsync([.. malformed.Select(l => ((string?)null, Encoding.UTF8.GetBytes(l))), (null, searchResponse)]);
        await stack.Topics.WaitUntilCommittedAsync(stack.IngestGroup, Patience, stack.RawTopic);

        var letters = stack.Topics.ReadAll(stack.Topics.DeadLetter, malformed.Length, Patience);
        string Header(Confluent.Kafka.ConsumeResult<byte[]?, byte[]?> r, string name) => Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes(name));
        // Exactly one letter per rejected document: every raw record is handled and committed by now.
        // The document whose process.pid cannot be coerced still goes through, its value kept unmapped.
        string[] reasons = ["malformed", "not-a-document", "missing-timestamp", "missing-host", "missing-category", "missing-timestamp", "missing-host"];
        Assert.Equal(reasons.Order(), letters.Select(r => Header(r, DeadLetterHeaders.Reason)).Order());
        Assert.All(letters, r => Assert.Equal(stack.RawTopic, Header(r, DeadLetterHeaders.SourceTopic)));
        // The search response's rejected hit is dead-lettered alone, naming its place in the record.
        var hit = Assert.Single(letters, r => Header(r, DeadLetterHeaders.DocumentCount) == "3");
        Assert.Equal("1", Header(hit, DeadLetterHeaders.DocumentIndex));
        Assert.Contains("kept-event-id", Encoding.UTF8.GetString(hit.Message.Value!), StringComparison.Ordinal);
        Assert.Equal(["bad-pid", "dns-1", "hXo1lJMBq2v4k8Tz0aaa"], stack.Telemetry(3, Patience).Select(e => e.Event.Id).Order());
    }

    [Fact]
    public async Task SevenXDocumentsAreKeyedByTheirAgentIdAndTheMetricsSaySo()
    {
        await using var stack = await IngestStack.StartAsync(Broker, Redis, "sevenx");
        var app = await stack.StartIngestAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var before = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        // Read as values and compared with their start: the series exist from start-up, at zero.
        const string Rejected = "vigil_ingest_documents_rejected_total{format=\"elastic\",reason=\"missing-host\"}";
        const string Derived = "vigil_ingest_derived_fields_total{format=\"elastic\",derivation=\"host.id from agent.id\"}";
        const string Published = "vigil_ingest_events_published_total{format=\"elastic\"}";
        Assert.NotNull(Sample(before, Rejected));
        var derivedBefore = Assert.NotNull(Sample(before, Derived));
        var publishedBefore = Assert.NotNull(Sample(before, Published));
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "export-7x-source-lines.ndjson"));

        await stack.PublishRawAsync(lines.Select(l => ((string?)null, Encoding.UTF8.GetBytes(l))));

        var records = stack.Topics.ReadAll(stack.Topics.Telemetry, 3, Patience);
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal("7f1e2d3c-4b5a-4968-8776-655443322110", Encoding.UTF8.GetString(r.Message.Key!)));
        await stack.Topics.WaitUntilCommittedAsync(stack.IngestGroup, Patience, stack.RawTopic);
        var after = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(derivedBefore + 3, Sample(after, Derived));
        Assert.Equal(publishedBefore + 3, Sample(after, Published));
        var ready = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        Assert.True(ready.IsSuccessStatusCode);
    }

    [Fact]
    public async Task TwoIngestHostsInOneProcessEachCountOnlyTheDocumentsTheyRead()
    {
        await using var reading = await IngestStack.StartAsync(Broker, Redis, "meters-reading");
        await using var idle = await IngestStack.StartAsync(Broker, Redis, "meters-idle");
        var readingApp = await reading.StartIngestAsync();
        var idleApp = await idle.StartIngestAsync();
        using var readingHttp = new HttpClient { BaseAddress = new Uri(readingApp.Urls.First()) };
        using var idleHttp = new HttpClient { BaseAddress = new Uri(idleApp.Urls.First()) };
        const string Read = "vigil_ingest_documents_read_total{format=\"elastic\"}";
        const string Published = "vigil_ingest_events_published_total{format=\"elastic\"}";
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "export-7x-source-lines.ndjson"));

        await reading.PublishRawAsync(lines.Select(l => ((string?)null, Encoding.UTF8.GetBytes(l))));
        Assert.Equal(3, reading.Topics.ReadAll(reading.Topics.Telemetry, 3, Patience).Count);
        await reading.Topics.WaitUntilCommittedAsync(reading.IngestGroup, Patience, reading.RawTopic);

        // Each host serves its own registry: the documents one host read appear on its /metrics alone, counted from zero.
        var readingMetrics = await readingHttp.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        var idleMetrics = await idleHttp.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(lines.Length, Sample(readingMetrics, Read));
        Assert.Equal(3, Sample(readingMetrics, Published));
        Assert.Equal(0, Sample(idleMetrics, Read));
        Assert.Equal(0, Sample(idleMetrics, Published));
        // The metric objects in each host's container are the ones its /metrics shows.
        Assert.Equal(3, readingApp.Services.GetRequiredService<IngestMetrics>().EventsPublished.WithLabels("elastic").Value);
        Assert.Equal(0, idleApp.Services.GetRequiredService<IngestMetrics>().EventsPublished.WithLabels("elastic").Value);
        // Both still show the process and runtime metrics a service always showed.
        Assert.Contains("process_cpu_seconds_total", idleMetrics, StringComparison.Ordinal);
        Assert.Contains("dotnet_total_memory_bytes", idleMetrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARawTopicWhoseFormatHasNoAdapterStopsIngestAtStartWithTheReason()
    {
        var topics = new TestTopics(Broker, "unknown-format", extraGroups: [new Vigil.Messaging.ConsumerGroupDeclaration("vigil.ingest", "ingest", null, [])], rawFormats: ["splunk"]);
        var dir = Directory.CreateTempSubdirectory("vigil-ingest-");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() =>
            {
                using var app = IngestApp.Build([$"--Kafka:BootstrapServers={Broker.BootstrapServers}", $"--Kafka:TopicManifest={topics.WriteManifest(dir.FullName)}", "--urls", "http://127.0.0.1:0"]);
            });
            Assert.Contains("format 'splunk', which has no adapter", error.Message, StringComparison.Ordinal);
            Assert.Contains(ElasticAdapter.FormatName, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
