using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vigil.ServiceDefaults;

namespace Vigil.Messaging.Kafka;

/// <summary>Registers Vigil's Kafka transport: options, the manifest, the process producer, publishers and consume loops.</summary>
public static class KafkaServiceCollectionExtensions
{
    /// <summary>Options from the "Kafka" section, the topic manifest, the producer and the dead-letter publisher.</summary>
    public static IServiceCollection AddVigilKafka(this IServiceCollection services, IConfiguration configuration)
    {
        // BindConfiguration reads the host's IConfiguration; a bare container (tests, tools) gets the one passed in.
        services.TryAddSingleton(configuration);
        services.AddUnreadableSettingsAsErrors();
        services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidation>());
        services.AddVigilMetrics();
        services.TryAddSingleton<KafkaMetrics>();
        services.TryAddSingleton<KafkaClientConfigFactory>();
        services.TryAddSingleton(sp => TopicManifest.LoadDefault(sp.GetRequiredService<IOptions<KafkaOptions>>().Value.TopicManifest));
        services.TryAddSingleton<KafkaProducerHandle>();
        services.TryAddSingleton<DeadLetterPublisher>();
        return services;
    }

    /// <summary>An <see cref="ITopicPublisher{T}"/> for the topic of <paramref name="role"/>; needs an <see cref="IRecordEncoder{T}"/>.</summary>
    public static IServiceCollection AddTopicPublisher<T>(this IServiceCollection services, TopicRole role)
    {
        services.AddSingleton<ITopicPublisher<T>>(sp => new KafkaTopicPublisher<T>(
            sp.GetRequiredService<KafkaProducerHandle>(),
            sp.GetRequiredService<IRecordEncoder<T>>(),
            sp.GetRequiredService<TopicManifest>().Topic(role).Name));
        return services;
    }

    /// <summary>An <see cref="ITopicReader{T}"/> for reading topic ranges outside any group; needs an <see cref="IRecordDecoder{T}"/>.</summary>
    public static IServiceCollection AddTopicReader<T>(this IServiceCollection services)
    {
        services.TryAddSingleton<ITopicReader<T>, KafkaTopicReader<T>>();
        return services;
    }

    /// <summary>
    /// A consume loop as the manifest's consumer group of <paramref name="service"/> (and
    /// <paramref name="analytic"/>), reading that group's topics; Kafka:Consumer:GroupId overrides the group.
    /// Needs an <see cref="IRecordDecoder{T}"/>. Undecodable records are dead-lettered, except by groups
    /// that read the canonical telemetry topic: the ingest tier validated it and dead-lettered what failed,
    /// so those groups count and skip (<paramref name="undecodable"/> overrides).
    /// </summary>
    public static IServiceCollection AddKafkaConsumer<T, THandler>(this IServiceCollection services, string service, string? analytic = null, UndecodableRecords? undecodable = null)
        where THandler : class, IRecordBatchHandler<T>
    {
        services.TryAddSingleton<THandler>();
        AddConsumerReadiness(services);
        services.AddHostedService(sp =>
        {
            var manifest = sp.GetRequiredService<TopicManifest>();
            var declared = manifest.ConsumerGroup(service, analytic);
            var overrideGroup = sp.GetRequiredService<IOptions<KafkaOptions>>().Value.Consumer.GroupId;
            var canonical = manifest.Topic(TopicRole.Telemetry).Name;
            var policy = undecodable ?? (declared.Topics.Contains(canonical) ? UndecodableRecords.CountAndSkip : UndecodableRecords.DeadLetter);
            var compacted = manifest.Topics
                .Where(t => declared.Topics.Contains(t.Name) && t.Config.TryGetValue("cleanup.policy", out var cleanup) && cleanup.Contains("compact", StringComparison.OrdinalIgnoreCase))
                .Select(t => t.Name)
                .ToArray();
            var registration = new KafkaConsumerRegistration(string.IsNullOrWhiteSpace(overrideGroup) ? declared.Name : overrideGroup, declared.Topics, policy, compacted);
            return new KafkaConsumeLoop<T>(
                registration,
                sp.GetRequiredService<KafkaClientConfigFactory>(),
                sp.GetRequiredService<IRecordDecoder<T>>(),
                sp.GetRequiredService<THandler>(),
                sp.GetRequiredService<DeadLetterPublisher>(),
                sp.GetRequiredService<ConsumerLoopHealth>(),
                sp.GetRequiredService<KafkaMetrics>(),
                sp.GetRequiredService<ILogger<KafkaConsumeLoop<T>>>());
        });
        return services;
    }

    /// <summary>
    /// Consumer readiness belongs to processes that consume: a producer-only process (the fleet simulator)
    /// has no loop to report, and a check that waits for one would keep it not-ready forever.
    /// </summary>
    private static void AddConsumerReadiness(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ConsumerLoopHealth)))
        {
            return;
        }

        services.AddSingleton<ConsumerLoopHealth>();
        services.AddHealthChecks().AddCheck<ConsumerLoopHealth>("kafka-consumers", tags: [HealthTags.Ready]);
    }
}
