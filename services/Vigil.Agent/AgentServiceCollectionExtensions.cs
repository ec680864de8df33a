using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;

namespace Vigil.Agent;

/// <summary>Registers vigil-agent: its options, the disk buffer, the two sources and the buffer's publisher.</summary>
public static class AgentServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddAgent(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentOptions>, AgentOptionsValidation>());
        services.AddVigilKafka(builder.Configuration);
        services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
        services.AddTopicPublisher<TelemetryEvent>(TopicRole.Telemetry);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var buffer = sp.GetRequiredService<IOptions<AgentOptions>>().Value.Buffer;
            return new DiskBuffer(buffer.Directory, buffer.MaxBytes, buffer.SegmentBytes);
        });
        services.AddSingleton<AgentMetrics>();
        services.AddSingleton<AgentEventSource>();
        services.AddHostedService<BufferPublisher>();
        services.AddHostedService<EsloggerSource>();
        services.AddHostedService<NetworkSource>();
        return builder;
    }
}
