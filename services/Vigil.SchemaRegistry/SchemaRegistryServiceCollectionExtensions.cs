using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.SchemaRegistry;

/// <summary>Registers protobuf record codecs whose schema ids come from the "SchemaRegistry" configuration section.</summary>
public static class SchemaRegistryServiceCollectionExtensions
{
    public const string Section = SchemaRegistryOptions.Section;

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
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<SchemaRegistryOptions>)))
        {
            // BindConfiguration reads the host's IConfiguration; a bare container (tests, tools) gets the one passed in.
            services.TryAddSingleton(configuration);
            services.AddOptions<SchemaRegistryOptions>().BindConfiguration(SchemaRegistryOptions.Section).ValidateOnStart();
            services.AddSingleton<IValidateOptions<SchemaRegistryOptions>, SchemaRegistryOptionsValidation>();
        }

        services.TryAddSingleton(sp => WithDefaults(sp.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value));
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

    /// <summary>
    /// <see cref="AddProtobufCodec{T}"/> for telemetry, with a decoder that parses only the fields <paramref name="fields"/>
    /// selects (what the service's rules and handler read; see <see cref="SelectiveTelemetryCodec"/>). The handler
    /// completes the events it keeps or outputs (<see cref="TelemetryEvent.Complete"/>).
    /// </summary>
    public static IServiceCollection AddSelectiveTelemetryCodec(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, FieldSelection> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        services.AddProtobufCodec<TelemetryEvent>(configuration, TopicRole.Telemetry);
        services.Replace(ServiceDescriptor.Singleton<IRecordDecoder<TelemetryEvent>>(sp =>
            new SelectiveTelemetryCodec(fields(sp), sp.GetRequiredService<SchemaIdResolver>().AcceptedSchemaIds(TelemetryEvent.Descriptor))));
        return services;
    }

    /// <summary>The options as configured, with the default fixed ids when configuration names none and no blank URL.</summary>
    private static SchemaRegistryOptions WithDefaults(SchemaRegistryOptions options) => new()
    {
        Url = string.IsNullOrWhiteSpace(options.Url) ? null : options.Url,
        BasicAuthUserInfo = options.BasicAuthUserInfo,
        AutoRegister = options.AutoRegister,
        FixedSchemaIds = options.FixedSchemaIds.Count > 0 ? options.FixedSchemaIds : DefaultFixedSchemaIds,
        DefaultSchemaId = options.DefaultSchemaId,
    };
}
