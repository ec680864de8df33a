using System.CommandLine;
using System.Globalization;
using Vigil.Contracts;
using Vigil.FleetSim.Hosting;

namespace Vigil.FleetSim.Cli;

/// <summary>fleet-sim's command line: options map one to one onto <see cref="FleetSimulationOptions"/>.</summary>
internal static class FleetSimCommand
{
    public static RootCommand Create()
    {
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed and options give the same events and ground truth.", DefaultValueFactory = _ => 1 };
        var hosts = new Option<int>("--hosts") { Description = "Number of simulated Macs.", DefaultValueFactory = _ => 50 };
        var rate = new Option<double>("--rate") { Description = "Background events per second for the whole fleet.", DefaultValueFactory = _ => 200 };
        var duration = DurationOption("--duration", "Stop after this much simulated time (e.g. 10m, 1h).");
        var events = new Option<long?>("--events") { Description = "Stop after exactly this many events." };
        var mode = new Option<PacingMode>("--mode") { Description = "offline: as fast as possible from --start; live: paced to the wall clock.", DefaultValueFactory = _ => PacingMode.Offline };
        var start = new Option<DateTimeOffset?>("--start") { Description = "First timestamp in offline mode (ISO-8601).", CustomParser = ParseStart };
        var interval = DurationOption("--scenario-interval", "Start a scheduled scenario every interval of simulated time (0 disables; default 60s).");
        var share = new Option<double>("--malicious-share") { Description = "Share of scheduled scenarios that are attacks (0..1).", DefaultValueFactory = _ => 0.5 };
        var analytics = new Option<string[]>("--analytics") { Description = $"Analytics to schedule scenarios for ({string.Join(", ", ScenarioCatalog.AnalyticIds)}); comma-separated or repeated.", AllowMultipleArgumentsPerToken = true };
        var scenarios = new Option<string[]>("--scenarios") { Description = "Scenario names to schedule (see --list-scenarios); comma-separated or repeated.", AllowMultipleArgumentsPerToken = true };
        var inject = new Option<string[]>("--inject") { Description = "Inject a scenario at the start: name or name@hostIndex; repeatable." };
        var skew = DurationOption("--skew", "Maximum lag between a host's process, file and network events (e.g. 500ms).");
        var batch = new Option<int>("--batch-size") { Description = "Largest batch handed to the output.", DefaultValueFactory = _ => 500 };
        var groundTruth = new Option<string?>("--ground-truth") { Description = "Append one NDJSON ground-truth record per scenario to this file." };
        var output = new Option<string?>("--output") { Description = "Where events go: kafka (the telemetry topic, as a service with /health, /metrics and POST /scenarios/{name}; --Kafka:*, --urls pass through) or ndjson:<path> (JSON lines in the --emit shape; ndjson:- for stdout). With --emit elastic, kafka means the manifest's raw elastic topic." };
        var emit = new Option<TelemetryEmitFormat>("--emit")
        {
            Description = "Shape of the telemetry: canonical (TelemetryEvent to the telemetry topic, ECS lines to a file), elastic (Elastic Agent Kafka output documents to the raw topic for vigil-ingest) or eslogger (Endpoint Security messages as eslogger prints them to the raw eslogger topic; network and DNS events, which Endpoint Security does not have, go canonical to the telemetry topic as vigil-agent sends them, and are left out of a file).",
            DefaultValueFactory = _ => TelemetryEmitFormat.Canonical,
        };
        var list = new Option<bool>("--list-scenarios") { Description = "Print the scenario catalog and exit." };

        var command = new RootCommand("fleet-sim: a simulated macOS fleet emitting ECS telemetry with labelled attack and look-alike scenarios.")
        {
            seed, hosts, rate, duration, events, mode, start, interval, share, analytics, scenarios, inject, skew, batch, groundTruth, output, emit, list,
        };

        // Hosting settings (--urls, --Kafka:BootstrapServers=...) pass through to the service in kafka mode.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(list))
            {
                foreach (var definition in ScenarioCatalog.All)
                {
                    Console.WriteLine($"{definition.Name,-40} {definition.AnalyticId,-18} {definition.Label.ToString().ToLowerInvariant(),-9} {definition.Description}");
                }

                return 0;
            }

            var target = result.GetValue(output);
            if (target is null)
            {
                await Console.Error.WriteLineAsync("fleet-sim: --output is required (e.g. --output ndjson:events.ndjson).").ConfigureAwait(false);
                return 2;
            }

            var options = new FleetSimulationOptions
            {
                Seed = result.GetValue(seed),
                Hosts = result.GetValue(hosts),
                EventsPerSecond = result.GetValue(rate),
                Duration = result.GetValue(duration),
                MaxEvents = result.GetValue(events),
                Pacing = result.GetValue(mode),
                StartTime = result.GetValue(start) ?? new FleetSimulationOptions().StartTime,
                ScenarioInterval = result.GetValue(interval) ?? new FleetSimulationOptions().ScenarioInterval,
                MaliciousShare = result.GetValue(share),
                Analytics = SplitList(result.GetValue(analytics)),
                Scenarios = SplitList(result.GetValue(scenarios)),
                MaxSourceSkew = result.GetValue(skew) ?? TimeSpan.Zero,
                BatchSize = result.GetValue(batch),
            };

            try
            {
                if (target == "kafka")
                {
                    return await FleetSimService.RunAsync(options, result.GetValue(emit), result.GetValue(groundTruth), result.GetValue(inject) ?? [], [.. result.UnmatchedTokens], cancellationToken).ConfigureAwait(false);
                }

                if (result.UnmatchedTokens.Count > 0)
                {
                    await Console.Error.WriteLineAsync($"fleet-sim: unknown argument '{result.UnmatchedTokens[0]}'.").ConfigureAwait(false);
                    return 2;
                }

                return await RunAsync(options, target, result.GetValue(emit), result.GetValue(groundTruth), result.GetValue(inject) ?? [], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await Console.Error.WriteLineAsync($"fleet-sim: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e)
            {
                // A hosting setting that cannot work (--Kafka:...): one line naming the key, as the services print it.
                await Console.Error.WriteLineAsync($"fleet-sim: configuration error: {string.Join(" ", e.Failures)}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(FleetSimulationOptions options, string target, TelemetryEmitFormat emit, string? groundTruthPath, string[] injections, CancellationToken cancellationToken)
    {
        var sink = OpenSink(target, emit);
        await using var sinkLifetime = sink as IAsyncDisposable;
        await using var groundTruth = groundTruthPath is null ? null : NdjsonGroundTruthSink.Open(groundTruthPath);
        var simulation = new FleetSimulation(options, groundTruth);
        foreach (var injection in injections)
        {
            var id = InjectionSpec.Inject(simulation, injection);
            await Console.Error.WriteLineAsync($"fleet-sim: injected {injection} as {id}").ConfigureAwait(false);
        }

        var summary = await simulation.RunAsync(sink, cancellationToken).ConfigureAwait(false);
        var span = summary.Events == 0 ? "" : $" from {EcsTimestamp.Format(summary.FirstEventTime)} to {EcsTimestamp.Format(summary.LastEventTime)}";
        await Console.Error.WriteLineAsync(
            $"fleet-sim: {summary.Events} events, {summary.ScenariosCompleted} scenarios complete, {summary.ScenariosIncomplete} cut short{span}").ConfigureAwait(false);
        return 0;
    }

    /// <summary>Opens the sink an --output address names: scheme:target.</summary>
    private static ITelemetrySink OpenSink(string address, TelemetryEmitFormat emit)
    {
        var colon = address.IndexOf(':', StringComparison.Ordinal);
        var (scheme, target) = colon < 0 ? (address, "") : (address[..colon], address[(colon + 1)..]);
        return scheme switch
        {
            "ndjson" when target.Length > 0 => NdjsonTelemetrySink.Open(target, emit),
            _ => throw new ArgumentException($"--output '{address}' is not supported; use kafka, ndjson:<path> or ndjson:-."),
        };
    }

    private static Option<TimeSpan?> DurationOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            try
            {
                return DurationText.Parse(result.Tokens[0].Value);
            }
            catch (FormatException e)
            {
                result.AddError(e.Message);
                return null;
            }
        },
    };

    private static DateTimeOffset? ParseStart(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens[0].Value;
        if (EcsTimestamp.TryParse(text, out var nanos))
        {
            return EcsTimestamp.FromUnixNanos(nanos);
        }

        result.AddError($"'{text}' is not an ISO-8601 time.");
        return null;
    }

    private static string[] SplitList(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
}
