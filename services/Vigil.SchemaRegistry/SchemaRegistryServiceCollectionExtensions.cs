using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vigil.Messaging;

namespace Vigil.SchemaRegistry;

/// <summary>Registers protobuf record codecs whose schema ids come from the "SchemaRegistry" configuration section.</summary>
public static class SchemaRegistryServiceCollectionExtensions
{
    public const string Section = "SchemaRegistry";

    /// <summary>
    /// Schema ids used without a registry when configuration names none: fixed per message so that
    /// telemetry and alerts stay distinguishable if a registry is introduced later.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, int> DefaultFixedSchemaIds = new Dictionary<string, int>
    {
        ["vigil.telemetry.v1.TelemetryEvent"] = 1,
        ["vigil.alerts.v1.Alert"] = 2,
    };

    /// <summary>
    /// An <see cref="IRecordDecoder{T}"/> and an <see cref="IRecordEncoder{T}"/> whose schema id is resolved for the topic
    /// of <paramref name="role"/> (registered in the Schema Registry when SchemaRegistry:Url is set) the first time it is
    /// needed. Without a registry the decoder accepts only the message's configured fixed id, so a record written for
    /// another contract is rejected (<see cref="FrameRejectionReason.UnknownSchemaId"/>); with one it accepts any id.
    /// </summary>
    public static IServiceCollection AddProtobufCodec<T>(this IServiceCollection services, IConfiguration configuration, TopicRole role)
        where T : IMessage<T>, new()
    {
        services.TryAddSingleton(_ => BindOptions(configuration.GetSection(Section)));
        services.TryAddSingleton(sp => new SchemaIdResolver(sp.GetRequiredService<SchemaRegistryOptions>()));
        services.TryAddSingleton<IRecordDecoder<T>>(sp =>
            new ProtobufRecordCodec<T>(schemaId: null, sp.GetRequiredService<SchemaIdResolver>().AcceptedSchemaIds(new T().Descriptor)));
        services.TryAddSingleton<IRecordEncoder<T>>(sp =>
        {
            var topic = sp.GetRequiredService<TopicManifest>().Topic(role).Name;
            // Resolved once at start-up; an unreachable registry fails the service's start, visibly.
            var schemaId = sp.GetRequiredService<SchemaIdResolver>().ResolveAsync(new T().Descriptor, topic).GetAwaiter().GetResult();
            return new ProtobufRecordCodec<T>(schemaId);
        });
        return services;
    }

    private static SchemaRegistryOptions BindOptions(IConfigurationSection section)
    {
        var fixedIds = section.GetSection(nameof(SchemaRegistryOptions.FixedSchemaIds)).GetChildren()
            .ToDictionary(c => c.Key, c => int.Parse(c.Value ?? string.Empty, System.Globalization.CultureInfo.InvariantCulture));
        return new SchemaRegistryOptions
        {
            Url = string.IsNullOrWhiteSpace(section[nameof(SchemaRegistryOptions.Url)]) ? null : section[nameof(SchemaRegistryOptions.Url)],
            BasicAuthUserInfo = section[nameof(SchemaRegistryOptions.BasicAuthUserInfo)],
            AutoRegister = section.GetValue(nameof(SchemaRegistryOptions.AutoRegister), true),
            FixedSchemaIds = fixedIds.Count > 0 ? fixedIds : DefaultFixedSchemaIds,
            DefaultSchemaId = section.GetValue<int?>(nameof(SchemaRegistryOptions.DefaultSchemaId)),
        };
    }
}
