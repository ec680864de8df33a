using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.ServiceDefaults;

namespace Vigil.Cli;

/// <summary>
/// `vigil topics apply`: creates every topic of the manifest on a real cluster (the docker-compose and Helm
/// provisioning jobs run it). On the embedded dev broker of `make run`, which cannot create topics over the admin
/// API and creates the manifest's topics itself when it starts, it checks them instead. Exit codes: 0 done, 1 a
/// topic failed or is missing or the cluster was not reached, 2 bad usage, 3 a partition count differs from the
/// manifest and --strict was given.
/// </summary>
public static class TopicsApplyCommand
{
    public const string Usage =
        "vigil topics apply [--manifest <topics.json>] [--bootstrap <host:port,...>] [--replication-factor <n>] [--wait <duration, default 2m>] [--strict] [--Kafka:<setting>=<value> ...]";

    public static async Task<int> RunAsync(CliArguments args, TextWriter output, TextWriter errors)
    {
        if (!TopicsApplyOptions.TryParse(args, out var options, out var error))
        {
            await errors.WriteLineAsync(error);
            await errors.WriteLineAsync($"Usage: {Usage}");
            return 2;
        }

        IHost? built = null;
        try
        {
            // Building binds the logging options, which a --Logging:... value can fail as a --Kafka:... one fails validation.
            built = Build(args, options);
            built.ValidateSettings();
        }
        catch (OptionsValidationException e)
        {
            // A value that cannot work: one line naming the key, as the services print it, not a stack trace.
            built?.Dispose();
            await errors.WriteLineAsync($"vigil: configuration error: {string.Join(" ", e.Failures)}");
            return 2;
        }

        using var host = built;

        IReadOnlyList<TopicPlan> plans;
        try
        {
            // The manifest search falls back to other locations; a path the operator named must not be silently replaced.
            if (host.Services.GetRequiredService<KafkaClientConfigFactory>().Options.TopicManifest is { Length: > 0 } named && !File.Exists(named))
            {
                throw new FileNotFoundException($"The topic manifest {named} does not exist.", named);
            }

            plans = TopicPlan.FromManifest(host.Services.GetRequiredService<TopicManifest>(), options.ReplicationFactor);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            await errors.WriteLineAsync(e.Message);
            return 1;
        }

        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler stop = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += stop;
        try
        {
            var outcomes = await ApplyAsync(host, plans, options, output, cancellation.Token);
            foreach (var outcome in outcomes)
            {
                await output.WriteLineAsync(outcome.Describe());
            }

            await output.FlushAsync(CancellationToken.None);
            return outcomes.Any(o => o.Kind is TopicOutcomeKind.Failed or TopicOutcomeKind.MissingOnEmbeddedBroker) ? 1
                : options.Strict && outcomes.Any(o => o.Kind == TopicOutcomeKind.PartitionMismatch) ? 3
                : 0;
        }
        catch (OperationCanceledException)
        {
            await errors.WriteLineAsync("Interrupted before every topic was applied.");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= stop;
        }
    }

    /// <summary>Creates the topics, or on the embedded dev broker, checks them and creates the missing ones through its control endpoint.</summary>
    private static async Task<IReadOnlyList<TopicOutcome>> ApplyAsync(IHost host, IReadOnlyList<TopicPlan> plans, TopicsApplyOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var provisioner = host.Services.GetRequiredService<TopicProvisioner>();
        var bootstrap = host.Services.GetRequiredService<KafkaClientConfigFactory>().Options.BootstrapServers;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var controlUrl = host.Services.GetRequiredService<IConfiguration>()["DevCluster:ControlUrl"] ?? EmbeddedDevBroker.DefaultControlUrl;
        if (await EmbeddedDevBroker.FindAsync(bootstrap, controlUrl, http, cancellationToken) is not { } dev)
        {
            return await provisioner.ApplyAsync(plans, options.Wait, cancellationToken);
        }

        await output.WriteLineAsync(
            $"Kafka at {bootstrap} is the embedded dev broker of `make run` (librdkafka's mock cluster, control endpoint {dev.Control}): it created the manifest's topics when it started, and it cannot create topics over Kafka's admin API, so topics are checked here and missing ones created through the control endpoint.");
        var outcomes = new List<TopicOutcome>();
        foreach (var outcome in await provisioner.InspectAsync(plans, options.Wait, cancellationToken))
        {
            if (outcome.Kind != TopicOutcomeKind.MissingOnEmbeddedBroker)
            {
                outcomes.Add(outcome);
                continue;
            }

            var problem = await dev.CreateAsync(outcome.Plan, cancellationToken);
            outcomes.Add(problem is null ? outcome with { Kind = TopicOutcomeKind.Created } : outcome with { Error = problem });
        }

        return outcomes;
    }

    private static IHost Build(CliArguments args, TopicsApplyOptions options)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder([.. args.Configuration]);

        // Defaults for a terminal; a job's own configuration (Vigil__LogFormat=json) still wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                [LoggingExtensions.FormatKey] = "simple",
                ["Logging:LogLevel:Default"] = "Warning",
                [$"Logging:LogLevel:{typeof(TopicProvisioner).FullName}"] = "Information",
            },
        });
        var explicitOptions = new Dictionary<string, string?> { [LoggingExtensions.StderrKey] = "true" };
        if (options.Bootstrap is { } bootstrap)
        {
            explicitOptions["Kafka:BootstrapServers"] = bootstrap;
        }

        if (options.Manifest is { } manifest)
        {
            explicitOptions["Kafka:TopicManifest"] = manifest;
        }

        builder.Configuration.AddInMemoryCollection(explicitOptions);
        builder.AddVigilConfiguration([.. args.Configuration]).AddVigilLogging();
        builder.Services.AddVigilKafka(builder.Configuration);
        builder.Services.AddSingleton<TopicProvisioner>();
        return builder.Build();
    }
}
