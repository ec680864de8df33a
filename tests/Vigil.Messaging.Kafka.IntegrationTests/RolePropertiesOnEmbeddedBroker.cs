using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// librdkafka properties for one kind of client (Kafka:Consumer:Properties, Kafka:Producer:Properties), bound from
/// configuration as a service binds them, with a real producer on the embedded broker reading what it was given.
/// </summary>
public sealed class RolePropertiesOnEmbeddedBroker : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public void AConsumerPropertyReachesTheConsumersAndTheProducerLogsNoConfigurationWarning()
    {
        using var services = Services(new()
        {
            ["Kafka:Consumer:Properties:fetch.wait.max.ms"] = "20",
            ["Kafka:Producer:Properties:batch.num.messages"] = "5000",
        });
        var configs = services.GetRequiredService<KafkaClientConfigFactory>();

        Assert.Equal("20", configs.Consumer("g").Get("fetch.wait.max.ms"));
        Assert.Null(configs.Consumer("g").Get("batch.num.messages"));
        Assert.Equal("5000", configs.Producer().Get("batch.num.messages"));
        Assert.Null(configs.Producer().Get("fetch.wait.max.ms"));

        var log = new CapturedLog<KafkaProducerHandle>();
        using (new KafkaProducerHandle(configs, services.GetRequiredService<KafkaMetrics>(), log))
        {
        }

        Assert.DoesNotContain(log.Lines, l => l.Text.Contains("CONFWARN", StringComparison.Ordinal));
    }

    [Fact]
    public void AConsumerWhosePrefetchQueueIsFullFetchesAgainAfter20MillisecondsNotASecondUnlessConfiguredOtherwise()
    {
        using (var services = Services([]))
        {
            Assert.Equal("20", services.GetRequiredService<KafkaClientConfigFactory>().Consumer("g").Get("fetch.queue.backoff.ms"));
        }

        using var configured = Services(new() { ["Kafka:Consumer:Properties:fetch.queue.backoff.ms"] = "500" });
        Assert.Equal("500", configured.GetRequiredService<KafkaClientConfigFactory>().Consumer("g").Get("fetch.queue.backoff.ms"));
    }

    [Fact]
    public void TheSameConsumerPropertyForEveryClientStillGivesTheProducerAWarning()
    {
        // What Kafka:Consumer:Properties is for: set for every client, librdkafka's producer ignores it and says so.
        using var services = Services(new() { ["Kafka:Properties:fetch.wait.max.ms"] = "20" });
        var log = new CapturedLog<KafkaProducerHandle>();
        using (new KafkaProducerHandle(services.GetRequiredService<KafkaClientConfigFactory>(), services.GetRequiredService<KafkaMetrics>(), log))
        {
        }

        Assert.Contains(log.Lines, l => l.Text.Contains("CONFWARN", StringComparison.Ordinal) && l.Text.Contains("fetch.wait.max.ms", StringComparison.Ordinal));
    }

    [Fact]
    public void ARolePropertyOverridesTheSameOneForEveryClient()
    {
        using var services = Services(new()
        {
            ["Kafka:Properties:socket.keepalive.enable"] = "false",
            ["Kafka:Consumer:Properties:socket.keepalive.enable"] = "true",
        });
        var configs = services.GetRequiredService<KafkaClientConfigFactory>();

        Assert.Equal("true", configs.Consumer("g").Get("socket.keepalive.enable"));
        Assert.Equal("false", configs.Producer().Get("socket.keepalive.enable"));
    }

    [Theory]
    [InlineData("Kafka:Consumer:Properties:enable.auto.offset.store", "true", "Kafka:Consumer:Properties:enable.auto.offset.store is decided by Vigil")]
    [InlineData("Kafka:Consumer:Properties:enable.auto.commit", "false", "Kafka:Consumer:Properties:enable.auto.commit is decided by Vigil")]
    [InlineData("Kafka:Producer:Properties:enable.idempotence", "false", "Kafka:Producer:Properties:enable.idempotence is decided by Vigil")]
    [InlineData("Kafka:Producer:Properties:acks", "1", "Kafka:Producer:Properties:acks is decided by Vigil")]
    [InlineData("Kafka:Consumer:Properties:Fetch Wait", "20", "Kafka:Consumer:Properties:Fetch Wait is not a librdkafka property name")]
    [InlineData("Kafka:Properties:group.id", "shared", "Kafka:Properties:group.id is decided by Vigil")]
    [InlineData("Kafka:Properties:enable.auto.commit", "false", "Kafka:Properties:enable.auto.commit is decided by Vigil")]
    [InlineData("Kafka:Properties:acks", "1", "Kafka:Properties:acks is decided by Vigil")]
    [InlineData("Kafka:Properties:request.required.acks", "1", "Kafka:Properties:request.required.acks is decided by Vigil")]
    [InlineData("Kafka:Producer:Properties:request.required.acks", "0", "Kafka:Producer:Properties:request.required.acks is decided by Vigil")]
    [InlineData("Kafka:Properties:dotnet.producer.enable.delivery.reports", "false", "Kafka:Properties:dotnet.producer.enable.delivery.reports is decided by Vigil")]
    [InlineData("Kafka:Producer:Properties:dotnet.producer.enable.background.poll", "false", "Kafka:Producer:Properties:dotnet.producer.enable.background.poll is decided by Vigil")]
    [InlineData("Kafka:Producer:Properties:dotnet.producer.delivery.report.fields", "none", "Kafka:Producer:Properties:dotnet.producer.delivery.report.fields is decided by Vigil")]
    [InlineData("Kafka:Consumer:Properties:group.instance.id", "vigil-0", "Kafka:Consumer:Properties:group.instance.id is decided by Vigil")]
    [InlineData("Kafka:Properties:group.instance.id", "vigil-0", "Kafka:Properties:group.instance.id is decided by Vigil")]
    [InlineData("Kafka:Consumer:Properties:enable.partition.eof", "true", "Kafka:Consumer:Properties:enable.partition.eof is decided by Vigil")]
    [InlineData("Kafka:Consumer:Properties:dotnet.consumer.consume.result.fields", "none", "Kafka:Consumer:Properties:dotnet.consumer.consume.result.fields is decided by Vigil")]
    [InlineData("Kafka:Consumer:Properties:dotnet.cancellation.delay.max.ms", "10", "Kafka:Consumer:Properties:dotnet.cancellation.delay.max.ms is decided by Vigil")]
    [InlineData("Kafka:Properties:Fetch Wait", "20", "Kafka:Properties:Fetch Wait is not a librdkafka property name")]
    [InlineData("Kafka:Properties:socket.timeout.ms", "", "Kafka:Properties:socket.timeout.ms has no value")]
    [InlineData("Kafka:Consumer:Properties:fetch.wait.max.ms", " ", "Kafka:Consumer:Properties:fetch.wait.max.ms has no value")]
    [InlineData("Kafka:Producer:Properties:linger.ms", "", "Kafka:Producer:Properties:linger.ms has no value")]
    public void APropertyTheGuaranteesRestOnAMalformedNameOrAnEmptyValueIsRefusedAtStartUpNamingTheKey(string key, string value, string expected)
    {
        using var services = Services(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<KafkaOptions>>().Value);
        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASendTheBrokerDidNotAcknowledgeFailsInsteadOfReturningAPosition()
    {
        // Start-up refuses this property; a configuration built without that check still does not count the send.
        using var services = Services([]);
        var options = new KafkaOptions { BootstrapServers = broker.BootstrapServers };
        options.Producer.Properties["dotnet.producer.enable.delivery.reports"] = "false";
        using var producer = new KafkaProducerHandle(
            new KafkaClientConfigFactory(Microsoft.Extensions.Options.Options.Create(options)), services.GetRequiredService<KafkaMetrics>(), new CapturedLog<KafkaProducerHandle>());

        var error = await Assert.ThrowsAsync<KafkaDeliveryException>(() => producer.ProduceAsync(
            "vigil.alerts", new Confluent.Kafka.Message<byte[]?, byte[]?> { Value = [1] }, TestContext.Current.CancellationToken));
        Assert.Contains("did not acknowledge", error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Services(Dictionary<string, string?> settings)
    {
        settings["Kafka:BootstrapServers"] = broker.BootstrapServers;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddVigilKafka(configuration)
            .BuildServiceProvider();
    }
}
