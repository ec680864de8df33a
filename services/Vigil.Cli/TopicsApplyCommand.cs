using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.ServiceDefaults;

namespace Vigil.Cli;

/// <summary>
/// `vigil topics apply`: creates every topic of the manifest on a real cluster (the docker-compose and Helm
/// provisioning jobs run it). Exit codes: 0 done, 1 a topic failed or the cluster was not reached,
/// 2 bad usage, 3 a partition count differs from the manifest and --strict was given.
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

        using var host = Build(args, options);
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
            var outcomes = await host.Services.GetRequiredService<TopicProvisioner>().ApplyAsync(plans, options.Wait, cancellation.Token);
            foreach (var outcome in outcomes)
            {
                await output.WriteLineAsync(outcome.Describe());
            }

            await output.FlushAsync(CancellationToken.None);
            return outcomes.Any(o => o.Kind == TopicOutcomeKind.Failed) ? 1
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
