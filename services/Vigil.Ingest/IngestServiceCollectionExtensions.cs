using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;

namespace Vigil.Ingest;

/// <summary>Registers the ingest service: the raw-topic consume loop, the adapters and the telemetry publisher.</summary>
public static class IngestServiceCollectionExtensions
{
    /// <summary>The service name of the ingest consumer group in the topic manifest.</summary>
    public const string Service = "ingest";

    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestOptions>, IngestOptionsValidation>());
        services.AddVigilKafka(builder.Configuration);
        services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
        services.AddTopicPublisher<TelemetryEvent>(TopicRole.Telemetry);
        services.AddSingleton<IRecordDecoder<byte[]>, RawBytesDecoder>();
        services.AddSingleton<RawSources>();
        services.AddSingleton<IngestMetrics>();
        services.AddKafkaConsumer<byte[], IngestHandler>(Service);
        return builder;
    }
}
