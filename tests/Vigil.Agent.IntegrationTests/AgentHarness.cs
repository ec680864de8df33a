using Microsoft.AspNetCore.Builder;
using Vigil.Contracts.Telemetry;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Agent.IntegrationTests;

/// <summary>vigil-agent hosted in the test process against a test broker, stopped (and its children killed) on dispose.</summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    private readonly WebApplication app;

    private AgentHarness(WebApplication app) => this.app = app;

    public IServiceProvider Services => this.app.Services;

    public static async Task<AgentHarness> StartAsync(TestTopics topics, string directory, string eslogger, string? nettop, params string[] extra)
    {
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Kafka:BootstrapServers={topics.Broker.BootstrapServers}",
            $"--Kafka:TopicManifest={topics.WriteManifest(directory)}",
            "--Agent:HostId=MAC-C02XK1ABJG5H",
            "--Agent:HostName=alice-mbp",
            $"--Agent:Eslogger:Executable={eslogger}",
            "--Agent:Eslogger:RestartDelay=00:00:01",
            $"--Agent:Network:Enabled={nettop is not null}",
            $"--Agent:Network:Executable={nettop ?? "/usr/bin/false"}",
            "--Agent:Network:Interval=00:00:00.300",
            $"--Agent:Buffer:Directory={Path.Combine(directory, "buffer")}",
            .. extra,
        ];
        var app = AgentApp.Build(args);
        await app.StartAsync();
        return new AgentHarness(app);
    }

    public static List<TelemetryEvent> Decode(IEnumerable<Confluent.Kafka.ConsumeResult<byte[]?, byte[]?>> records)
    {
        var codec = new ProtobufRecordCodec<TelemetryEvent>(schemaId: null);
        return records.Select(r => codec.Decode(r.Message.Value)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await this.app.StopAsync();
        await this.app.DisposeAsync();
    }
}
