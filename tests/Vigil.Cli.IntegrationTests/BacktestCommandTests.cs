using System.Text.Json;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.FleetSim;
using Vigil.Testing;
using File = System.IO.File;

namespace Vigil.Cli.IntegrationTests;

public sealed class BacktestCommandTests : IDisposable
{
    private static readonly string Rules = Path.Combine(TestPaths.RepoRoot, "rules");
    private readonly TemporaryDirectory work = TemporaryDirectory.Create("vigil-backtest-");

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task EachAlertIsOneJsonLineNamingTheRuleHostTimesReasonAndTheGroundTruthEvidence()
    {
        var (events, groundTruth) = await SimulateAsync("an0167-script-curl-to-tmp@1", "installer-postinstall-curl@2", "an0994-download-executed@3");

        var run = await VigilCommand.VigilAsync("backtest", "--rules", Rules, "--events", events);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("0 malformed line(s)", run.Stderr);
        var alerts = run.Stdout.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(3, alerts.Count);
        foreach (var record in groundTruth)
        {
            var alert = Assert.Single(alerts, a => a.GetProperty("host_id").GetString() == record.HostId);
            Assert.Equal(record.EvidenceEventIds, alert.GetProperty("evidence_event_ids").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(record.AnalyticId, alert.GetProperty("analytic").GetString(), ignoreCase: true);
            Assert.Equal(AlertFactory.AlertId(alert.GetProperty("rule_id").GetString()!, record.EvidenceEventIds), alert.GetProperty("alert_id").GetString());
            Assert.False(string.IsNullOrEmpty(alert.GetProperty("rule_name").GetString()));
            Assert.StartsWith(alert.GetProperty("rule_name").GetString()!, alert.GetProperty("reason").GetString());
            Assert.True(alert.GetProperty("first_event_time").GetDateTimeOffset() <= alert.GetProperty("last_event_time").GetDateTimeOffset());
            Assert.Equal(record.EvidenceEventIds, alert.GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("event").GetProperty("id").GetString()));
        }
    }

    [Fact]
    public async Task QuerySemanticsLetASequenceWithoutMaxspanSpanMoreThanTheRulesLookBack()
    {
        // Elastic runs the rule every 5 minutes over the last 6 (no from): a shell and its curl 10 minutes apart never
        // fall in one search, so streaming does not alert; one search over the whole file (--query-semantics) does.
        var rules = Directory.CreateDirectory(work.Combine("lookback")).FullName;
        File.WriteAllText(Path.Combine(rules, "shell_then_curl.toml"), """
            [rule]
            description = "A shell, then curl from it."
            language = "eql"
            name = "Shell then curl"
            risk_score = 21
            rule_id = "5e0b5c0e-0000-4000-8000-00000000abcd"
            severity = "low"
            type = "eql"
            query = '''
            sequence by process.entity_id
              [process where process.name == "bash"]
              [process where process.name == "curl"]
            '''
            """);
        var events = work.Combine("apart.ndjson");
        File.WriteAllLines(events,
        [
            """{"@timestamp":"2025-03-03T09:00:00Z","event":{"id":"e1","category":["process"],"type":["start"],"action":"exec"},"host":{"id":"mac-1","os":{"type":"macos"}},"process":{"name":"bash","entity_id":"p1"}}""",
            """{"@timestamp":"2025-03-03T09:10:00Z","event":{"id":"e2","category":["process"],"type":["start"],"action":"exec"},"host":{"id":"mac-1","os":{"type":"macos"}},"process":{"name":"curl","entity_id":"p1"}}""",
        ]);

        var streaming = await VigilCommand.VigilAsync("backtest", "--rules", rules, "--events", events);
        var query = await VigilCommand.VigilAsync("backtest", "--rules", rules, "--events", events, "--query-semantics");

        Assert.True(streaming.ExitCode == 0, streaming.Stderr);
        Assert.Empty(streaming.Stdout);
        Assert.True(query.ExitCode == 0, query.Stderr);
        Assert.Single(query.Stdout);
    }

    [Fact]
    public async Task MalformedLinesAreReportedWithTheirLineNumbersAndTheRestIsStillBacktested()
    {
        var (events, _) = await SimulateAsync("an0167-script-curl-to-tmp@1", "an0425-docs-then-http-exfil@4");
        var clean = await VigilCommand.VigilAsync("backtest", "--rules", Rules, "--events", events);
        var lines = File.ReadAllLines(events).ToList();
        lines.Insert(1, "this is not json");                                        // line 2
        lines.Insert(3, """{"@timestamp": "yesterday", "event": {"id": "x"}}""");   // line 4
        lines.Insert(5, "");                                                        // line 6: blank, skipped silently
        lines.Insert(6, """{"event": {"id": "no-time"}, "host": {"id": "h"}}""");  // line 7
        lines.Insert(8, """{"process": {"pid": "not a number"}}""");              // line 9
        var damaged = work.Combine("damaged.ndjson");
        File.WriteAllLines(damaged, lines);

        var run = await VigilCommand.VigilAsync("backtest", "--rules", Rules, "--events", damaged);

        Assert.Equal(1, run.ExitCode);
        var reported = run.Stderr.Split('\n').Where(l => l.StartsWith(damaged + ":", StringComparison.Ordinal)).ToList();
        Assert.Equal([2, 4, 7, 9], reported.Select(l => int.Parse(l[(damaged.Length + 1)..l.IndexOf(':', damaged.Length + 1)], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("@timestamp", reported[1]);
        Assert.Contains("@timestamp", reported[2]);
        Assert.Contains("process.pid", reported[3]);
        Assert.Contains("4 malformed line(s)", run.Stderr);
        Assert.Equal(2, clean.Stdout.Count);
        Assert.Equal(clean.Stdout.Select(AlertId), run.Stdout.Select(AlertId));
    }

    [Fact]
    public async Task BacktestingFleetSimsNdjsonGivesTheAlertsOfTheSameRunEvaluatedInProcess()
    {
        var options = new FleetSimulationOptions
        {
            Seed = 5,
            Hosts = 80,
            EventsPerSecond = 80,
            Duration = TimeSpan.FromMinutes(6),
            ScenarioInterval = TimeSpan.FromSeconds(5),
            MaxSourceSkew = TimeSpan.FromMilliseconds(500),
        };
        var events = work.Combine("fleet.ndjson");
        var simulated = await VigilCommand.FleetSimAsync(
            "--seed", "5", "--hosts", "80", "--rate", "80", "--duration", "6m", "--scenario-interval", "5s", "--skew", "500ms", "--output", $"ndjson:{events}");
        Assert.True(simulated.ExitCode == 0, simulated.Stderr);

        var backtested = await VigilCommand.VigilAsync("backtest", "--rules", Rules, "--events", events);

        var inProcess = new List<TelemetryEvent>();
        await new FleetSimulation(options).RunAsync(new ListSink(inProcess), TestContext.Current.CancellationToken);
        var backtest = new Backtest(AnalyticPack.LoadAll(Rules, TimeSpan.FromSeconds(2)).Rules, new AlertFactory(TimeProvider.System, "tests"));
        var expected = inProcess.SelectMany(backtest.Process).Select(a => a.Id).ToList();
        expected.AddRange(backtest.Finish().Select(a => a.Id));

        Assert.Equal(0, backtested.ExitCode);
        Assert.True(expected.Count >= 10, $"only {expected.Count} alerts in process");
        Assert.Equal(expected, backtested.Stdout.Select(AlertId));
    }

    [Theory]
    [InlineData("backtest", "--events", "{events}")]
    [InlineData("backtest", "--rules", "{rules}")]
    [InlineData("backtest", "--rules", "{rules}", "--events", "{events}", "--lateness", "soon")]
    [InlineData("backtest", "--rules", "{rules}", "--events", "{events}", "--rulez", "x")]
    [InlineData("backtest", "--rules", "{rules}", "--events", "{events}", "--format", "splunk")]
    public async Task IncompleteOrUnknownOptionsAreUsageErrors(params string[] arguments)
    {
        var (events, _) = await SimulateAsync("an0167-script-curl-to-tmp@1");

        var run = await VigilCommand.VigilAsync(arguments.Select(a => a.Replace("{rules}", Rules, StringComparison.Ordinal).Replace("{events}", events, StringComparison.Ordinal)).ToArray());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Usage: vigil backtest", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task AnElasticAgentExportIsDetectedAndGivesTheSameAlertsAsTheCanonicalLinesOfTheSameRun()
    {
        string[] injections = ["an0167-script-curl-to-tmp@1", "installer-postinstall-curl@2", "an0994-download-executed@3"];
        var (canonical, _) = await SimulateAsync(injections);
        var (elastic, _) = await SimulateAsync(["--emit", "elastic"], injections);
        Assert.Contains("\"@metadata\"", File.ReadLines(elastic).First());

        var expected = await VigilCommand.VigilAsync("backtest", "--rules", Rules, "--events", canonical);
        var run = await VigilCommand.VigilAsync("backtest", "--rules", Rules, "--events", elastic);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, expected.Stdout.Count);
        Assert.Equal(expected.Stdout.Select(AlertId), run.Stdout.Select(AlertId));
        Assert.Contains("0 rejected document(s)", run.Stderr);
    }

    [Fact]
    public async Task APrettyPrintedSearchResponseIsReadWholeAndItsRejectedHitsAreCountedByReason()
    {
        var (elastic, _) = await SimulateAsync(["--emit", "elastic"], "an0167-script-curl-to-tmp@1", "an0994-download-executed@3");
        var expected = await VigilCommand.VigilAsync("backtest", "--rules", Rules, "--events", elastic);
        var hits = File.ReadLines(elastic)
            .Select((line, i) => $$"""{"_index":"logs-endpoint.events.process-default","_id":"doc-{{i}}","_score":null,"_source":{{line}}}""")
            .Append("""{"_index":"x","_id":"no-host","_source":{"@timestamp":"2025-03-03T09:00:00Z","event":{"category":["process"]}}}""")
            .Append("""{"_index":"x","_id":"bad-pid","_source":{"@timestamp":"2025-03-03T09:00:00Z","event":{"category":["process"]},"host":{"id":"h"},"process":{"pid":"many"}}}""")
            .Append("""{"_index":"x","_id":"no-host-2","_source":{"@timestamp":"2025-03-03T09:00:00Z","event":{"category":["file"]}}}""");
        var response = work.Combine("search-response.json");
        File.WriteAllText(response, "{\n  \"took\": 3,\n  \"hits\": {\n    \"total\": {\"value\": 9},\n    \"hits\": [\n      " + string.Join(",\n      ", hits) + "\n    ]\n  }\n}\n");

        var run = await VigilCommand.VigilAsync("backtest", "--rules", Rules, "--events", response);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, expected.Stdout.Count);
        Assert.Equal(expected.Stdout.Select(AlertId), run.Stdout.Select(AlertId));
        Assert.Contains("2 rejected document(s)", run.Stderr);
        Assert.Contains("  rejected 2 document(s): missing-host", run.Stderr);
        Assert.Contains(run.Stderr.Split('\n'), l => l.StartsWith(response + ":", StringComparison.Ordinal) && l.Contains("(document ", StringComparison.Ordinal) && l.Contains("missing-host", StringComparison.Ordinal));
        // The hit whose process.pid is not a number still counts as an event; its value is reported, not lost.
        Assert.Contains("  invalid value (kept unmapped) 1x: process.pid", run.Stderr);
    }

    private static string AlertId(string line) => JsonDocument.Parse(line).RootElement.GetProperty("alert_id").GetString()!;

    /// <summary>A quiet fleet with the given scenarios injected (name@host), written by fleet-sim as NDJSON with its ground truth.</summary>
    private Task<(string Events, IReadOnlyList<GroundTruthRecord> GroundTruth)> SimulateAsync(params string[] injections) => SimulateAsync([], injections);

    private async Task<(string Events, IReadOnlyList<GroundTruthRecord> GroundTruth)> SimulateAsync(string[] options, params string[] injections)
    {
        var events = work.Combine($"events-{Guid.NewGuid():N}.ndjson");
        var groundTruth = work.Combine($"truth-{Guid.NewGuid():N}.ndjson");
        var run = await VigilCommand.FleetSimAsync(
            [
                "--seed", "3", "--hosts", "20", "--rate", "5", "--duration", "4m", "--scenario-interval", "0",
                .. injections.SelectMany(i => new[] { "--inject", i }),
                "--output", $"ndjson:{events}", "--ground-truth", groundTruth, .. options,
            ]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return (events, File.ReadAllLines(groundTruth).Select(GroundTruthRecord.FromJson).ToList());
    }

    private sealed class ListSink(List<TelemetryEvent> events) : ITelemetrySink
    {
        public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
        {
            events.AddRange(batch);
            return ValueTask.CompletedTask;
        }
    }
}
