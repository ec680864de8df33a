using System.Text;
using Vigil.Adapters;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Syntax;

namespace Vigil.Cli;

/// <summary>
/// `vigil backtest`: runs rule packs over recorded telemetry with the correlator's matching, exceptions, alert ids and
/// suppression (in memory instead of Redis; suppression windows on event time) and prints the alerts. The recording is
/// Vigil's own ECS JSON lines or an agent export read through the same adapters as vigil-ingest (Elasticsearch
/// <c>_source</c> lines, hit lines, search responses, Elastic Agent Kafka output, eslogger lines).
/// </summary>
public static class BacktestCommand
{
    public const string Usage = "vigil backtest --rules <rule file|folder> --events <file|-> [--format canonical|elastic|eslogger (default: detected)] [--lateness 2s] [--query-semantics]";

    private static readonly string[] KnownOptions = ["rules", "events", "lateness", "format", "query-semantics"];

    /// <summary>Exit codes: 0 all documents read, 1 some malformed or rejected (reported and skipped), 2 usage or rule errors.</summary>
    public static async Task<int> RunAsync(CliArguments args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        if (args.UnknownOptions(KnownOptions).FirstOrDefault() is { } unknown)
        {
            return await UsageErrorAsync(stderr, $"Unknown option --{unknown}.");
        }

        if (args.Option("rules") is not { Length: > 0 } rulesPath || args.Option("events") is not { Length: > 0 } eventsPath)
        {
            return await UsageErrorAsync(stderr, "--rules and --events are required.");
        }

        var lateness = TimeSpan.FromSeconds(2);
        if (args.Option("lateness") is { } latenessText && !TimeUnits.TryParse(latenessText, out lateness))
        {
            return await UsageErrorAsync(stderr, $"--lateness \"{latenessText}\" is not a duration ({TimeUnits.Expected}, as in 2s).");
        }

        var format = args.Option("format");
        if (format is not null && format != ExportFormat.Canonical && !AdapterCatalog.IsKnown(format))
        {
            return await UsageErrorAsync(stderr, $"--format \"{format}\" is not a known format ({string.Join(", ", Formats)}).");
        }

        AnalyticPack pack;
        try
        {
            // --query-semantics: sequences without maxspan span the whole input, as one EQL search over it would
            // (otherwise they are bounded by each rule's look-back, as Elastic's scheduled runs are).
            pack = AnalyticPack.LoadAll(rulesPath, new EngineDefaults(lateness) { QuerySemantics = args.Flag("query-semantics") });
        }
        catch (RulePackException e)
        {
            await stderr.WriteLineAsync(e.Message);
            return 2;
        }

        if (eventsPath != "-" && !System.IO.File.Exists(eventsPath))
        {
            await stderr.WriteLineAsync($"{eventsPath}: no such file.");
            return 2;
        }

        var backtest = new Backtest(pack.Rules, new AlertFactory(TimeProvider.System, "backtest"));
        var report = new BacktestInputReport();
        using (var reader = eventsPath == "-" ? null : new StreamReader(eventsPath))
        {
            var input = reader ?? stdin;
            var lineNumber = 0L;
            ITelemetryAdapter? adapter = null;
            while (await input.ReadLineAsync() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (adapter is null && format != ExportFormat.Canonical)
                {
                    // The first document decides: a pretty-printed search response or document spans lines, so it is read whole.
                    var whole = StartsMultiLineDocument(line);
                    var first = whole ? line + "\n" + await input.ReadToEndAsync() : line;
                    format ??= ExportFormat.Detect(first);
                    if (format is null)
                    {
                        await stderr.WriteLineAsync($"{eventsPath}:{lineNumber}: cannot tell the format from this line; pass --format ({string.Join(", ", Formats)}).");
                        return 2;
                    }

                    if (format != ExportFormat.Canonical)
                    {
                        if (!AdapterCatalog.IsKnown(format))
                        {
                            await stderr.WriteLineAsync($"{eventsPath}: looks like {format}, which this build has no adapter for.");
                            return 2;
                        }

                        adapter = AdapterCatalog.Create(format);
                        await AdaptAsync(adapter, first, $"{eventsPath}:{lineNumber}", backtest, report, stdout, stderr);
                        continue;
                    }

                    if (whole)
                    {
                        await stderr.WriteLineAsync($"{eventsPath}: a multi-line JSON document is not canonical ECS JSON lines; pass --format elastic.");
                        return 2;
                    }
                }

                if (adapter is not null)
                {
                    await AdaptAsync(adapter, line, $"{eventsPath}:{lineNumber}", backtest, report, stdout, stderr);
                    continue;
                }

                var (e, problem) = Read(line);
                if (e is null)
                {
                    report.Malformed++;
                    await stderr.WriteLineAsync($"{eventsPath}:{lineNumber}: {problem}");
                    continue;
                }

                await WriteAsync(stdout, backtest.Process(e));
            }
        }

        await WriteAsync(stdout, backtest.Finish());
        await stdout.FlushAsync();
        var counts = backtest.Counts;
        await stderr.WriteLineAsync(
            $"backtest: {pack.Rules.Count} rule(s), {counts.Events} event(s), {report.Malformed} malformed line(s), {report.Rejected} rejected document(s), {counts.LateEvents} late, " +
            $"{counts.ExceptedEvents} event(s) removed by exceptions, {counts.Matches} match(es), {counts.Repeats} repeat(s), " +
            $"{counts.Suppressed} suppressed, {counts.Alerts} alert(s)");
        if (counts.OverMaxSignals > 0 || backtest.StateEvictions > 0)
        {
            await stderr.WriteLineAsync($"  {counts.OverMaxSignals} alert(s) over max_signals, {backtest.StateEvictions} threshold/new_terms state eviction(s)");
        }

        foreach (var (exception, removed) in counts.ExceptedByException.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            await stderr.WriteLineAsync($"  removed {removed} event(s) by {exception}");
        }

        await report.WriteAsync(stderr);
        return report.Malformed + report.Rejected > 0 ? 1 : 0;
    }

    private static IEnumerable<string> Formats => [ExportFormat.Canonical, .. AdapterCatalog.Formats];

    private static async Task AdaptAsync(
        ITelemetryAdapter adapter, string text, string location, Backtest backtest, BacktestInputReport report, TextWriter stdout, TextWriter stderr)
    {
        var result = adapter.Adapt(new RawRecord(Encoding.UTF8.GetBytes(text), null, location));
        foreach (var e in result.Events)
        {
            await WriteAsync(stdout, backtest.Process(e));
        }

        foreach (var rejection in result.Rejections)
        {
            var where = result.Documents > 1 ? $"{location} (document {rejection.DocumentIndex})" : location;
            await stderr.WriteLineAsync($"{where}: {rejection.Reason.Name()}: {rejection.Detail}");
        }

        report.Add(result);
    }

    /// <summary>True for the first line of pretty-printed JSON ("{", "[", or an object opening a nested one), which must be read whole.</summary>
    private static bool StartsMultiLineDocument(string line)
    {
        var trimmed = line.Trim();
        return trimmed is "{" or "[" || (trimmed.StartsWith('{') && (trimmed.EndsWith('{') || trimmed.EndsWith('[') || trimmed.EndsWith(',')));
    }

    private static (TelemetryEvent? Event, string? Problem) Read(string line)
    {
        TelemetryEvent e;
        try
        {
            e = EcsJson.Parse<TelemetryEvent>(line);
        }
        catch (EcsJsonException ex)
        {
            return (null, ex.Message);
        }

        // Without a time an event has no place in a sequence; the engine would skip it silently.
        return e.Timestamp == 0 ? (null, "$.@timestamp: missing; every event needs a time") : (e, null);
    }

    private static async Task WriteAsync(TextWriter stdout, IReadOnlyList<Alert> alerts)
    {
        foreach (var alert in alerts)
        {
            await stdout.WriteLineAsync(BacktestAlertLine.Format(alert));
        }
    }

    private static async Task<int> UsageErrorAsync(TextWriter stderr, string problem)
    {
        await stderr.WriteLineAsync(problem);
        await stderr.WriteLineAsync($"Usage: {Usage}");
        return 2;
    }
}
