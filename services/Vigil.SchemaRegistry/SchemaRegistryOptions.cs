namespace Vigil.SchemaRegistry;

/// <summary>Where schema ids come from: a Schema Registry when <see cref="Url"/> is set, fixed ids otherwise.</summary>
public sealed class SchemaRegistryOptions
{
    public const string Section = "SchemaRegistry";

    /// <summary>The registry's URL (e.g. http://schema-registry:8081); null runs without a registry, on fixed ids.</summary>
    public string? Url { get; init; }

    /// <summary>"user:password" for HTTP basic authentication against the registry.</summary>
    public string? BasicAuthUserInfo { get; init; }

    /// <summary>Register schemas that are not yet registered (true), or only look them up and fail when missing.</summary>
    public bool AutoRegister { get; init; } = true;

    /// <summary>Without a registry: the schema id to write for a message, by full name (e.g. vigil.alerts.v1.Alert).</summary>
    public IReadOnlyDictionary<string, int> FixedSchemaIds { get; init; } = new Dictionary<string, int>();

    /// <summary>Without a registry: the schema id for messages <see cref="FixedSchemaIds"/> does not name.</summary>
    public int? DefaultSchemaId { get; init; }
}
