using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Syntax;

namespace Vigil.Cli;

/// <summary>
/// `vigil backtest`: runs rule packs over recorded ECS JSON telemetry with the correlator's matching, exceptions,
/// alert ids and alert suppression (in memory instead of Redis; suppression windows on event time) and prints the alerts.
/// </summary>
public static class BacktestCommand
{
    public const string Usage = "vigil backtest --rules <rule file|folder> --events <file.ndjson|-> [--lateness 2s]";

    private static readonly string[] KnownOptions = ["rules", "events", "lateness"];

    /// <summary>Exit codes: 0 all lines read, 1 some lines malformed (reported and skipped), 2 usage or rule errors.</summary>
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

        AnalyticPack pack;
        try
        {
            pack = AnalyticPack.LoadAll(rulesPath, lateness);
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
        var malformed = 0L;
        using (var reader = eventsPath == "-" ? null : new StreamReader(eventsPath))
        {
            var input = reader ?? stdin;
            var lineNumber = 0L;
            while (await input.ReadLineAsync() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var (e, problem) = Read(line);
                if (e is null)
                {
                    malformed++;
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
            $"backtest: {pack.Rules.Count} rule(s), {counts.Events} event(s), {malformed} malformed line(s), {counts.LateEvents} late, " +
            $"{counts.ExceptedEvents} event(s) removed by exceptions, {counts.Matches} match(es), {counts.Repeats} repeat(s), " +
            $"{counts.Suppressed} suppressed, {counts.Alerts} alert(s)");
        foreach (var (exception, removed) in counts.ExceptedByException.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            await stderr.WriteLineAsync($"  removed {removed} event(s) by {exception}");
        }

        return malformed > 0 ? 1 : 0;
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
