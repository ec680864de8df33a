using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.SchemaRegistry.UnitTests;

/// <summary>Without a registry, a consumer rejects a record written for another contract instead of decoding it as its own.</summary>
public sealed class SchemaIdCheckTests
{
    [Fact]
    public void ATelemetryReaderRejectsAnAlertRecordWithAnUnknownSchemaIdReason()
    {
        using var services = Services();
        var alertWriter = services.GetRequiredService<IRecordEncoder<Alert>>();
        var telemetryReader = services.GetRequiredService<IRecordDecoder<TelemetryEvent>>();
        var alert = alertWriter.Encode(new Alert { Id = "a1", Rule = new Vigil.Contracts.Alerts.Rule { Name = "r" } });

        var e = Assert.Throws<InvalidFrameException>(() => telemetryReader.Decode(alert));

        Assert.Equal(FrameRejectionReason.UnknownSchemaId, e.Reason);
        Assert.Contains("Schema id 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATelemetryReaderAcceptsARecordWithTheTelemetrySchemaId()
    {
        using var services = Services();
        var value = services.GetRequiredService<IRecordEncoder<TelemetryEvent>>().Encode(ContractSamples.CurlExec());

        Assert.Equal("curl", services.GetRequiredService<IRecordDecoder<TelemetryEvent>>().Decode(value).Process.Name);
    }

    [Fact]
    public void ConfiguredFixedIdsDecideWhatAReaderAccepts()
    {
        using var services = Services(new Dictionary<string, string?>
        {
            ["SchemaRegistry:FixedSchemaIds:vigil.telemetry.v1.TelemetryEvent"] = "41",
            ["SchemaRegistry:FixedSchemaIds:vigil.alerts.v1.Alert"] = "42",
        });
        var telemetryOnDefaultId = new ProtobufRecordCodec<TelemetryEvent>(1).Encode(ContractSamples.CurlExec());
        var reader = services.GetRequiredService<IRecordDecoder<TelemetryEvent>>();

        Assert.Equal(FrameRejectionReason.UnknownSchemaId, Assert.Throws<InvalidFrameException>(() => reader.Decode(telemetryOnDefaultId)).Reason);
        Assert.Equal("curl", reader.Decode(services.GetRequiredService<IRecordEncoder<TelemetryEvent>>().Encode(ContractSamples.CurlExec())).Process.Name);
    }

    private static ServiceProvider Services(Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddSingleton(TopicManifest.LoadDefault());
        services.AddProtobufCodec<TelemetryEvent>(configuration, TopicRole.Telemetry);
        services.AddProtobufCodec<Alert>(configuration, TopicRole.Alerts);
        return services.BuildServiceProvider();
    }
}
