using System.Collections.Concurrent;
using Google.Protobuf.Reflection;
using Vigil.Contracts;

namespace Vigil.SchemaRegistry;

/// <summary>
/// Finds the schema id a service writes into its records, once at start: with a registry it registers (or looks
/// up) the message's .proto file under the topic's value subject, its imports first under their import paths,
/// as Confluent's serializer does; without one it answers the configured fixed id. Results are cached.
/// </summary>
public sealed class SchemaIdResolver : IDisposable
{
    // Confluent's serializers skip these imports: every registry knows them already.
    private static readonly string[] WellKnownImportPrefixes = ["google/protobuf/", "google/type/", "confluent/"];

    private readonly SchemaRegistryOptions options;
    private readonly SchemaRegistryClient? client;
    private readonly ConcurrentDictionary<string, int> resolved = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SchemaReference> references = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim registration = new(1, 1);

    /// <param name="options">Registry URL and credentials, or fixed ids.</param>
    public SchemaIdResolver(SchemaRegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        if (string.IsNullOrWhiteSpace(options.Url))
        {
            return;
        }

        // Like Confluent's clients, a URL without a scheme means http.
        var text = options.Url.Contains("://", StringComparison.Ordinal) ? options.Url : "http://" + options.Url;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            throw new ArgumentException($"Schema Registry URL '{options.Url}' is not an absolute URL.", nameof(options));
        }

        client = new SchemaRegistryClient(url, options.BasicAuthUserInfo);
    }

    /// <summary>True when ids come from a Schema Registry rather than configuration.</summary>
    public bool UsesRegistry => client is not null;

    /// <summary>
    /// The schema ids a reader of <paramref name="message"/> accepts in a record's frame: without a registry only the
    /// configured id of that message, so a record of another contract (an alert on the telemetry topic) is rejected
    /// with <see cref="FrameRejectionReason.UnknownSchemaId"/> instead of decoding as garbage; with a registry null (any
    /// id: other producers may have registered newer versions of the schema, whose ids this process cannot know up front).
    /// </summary>
    public IReadOnlySet<int>? AcceptedSchemaIds(MessageDescriptor message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return client is null ? new HashSet<int> { FixedId(message) } : null;
    }

    /// <summary>The schema id to write into values of <paramref name="message"/> on <paramref name="topic"/>.</summary>
    public async Task<int> ResolveAsync(MessageDescriptor message, string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        if (client is null)
        {
            return FixedId(message);
        }

        var subject = SubjectNames.TopicValue(topic);
        var key = subject + "\n" + message.File.Name;
        if (resolved.TryGetValue(key, out var cached))
        {
            return cached;
        }

        await registration.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (resolved.TryGetValue(key, out cached))
            {
                return cached;
            }

            var schema = SchemaDefinition.Protobuf(
                ProtoSchemaSources.Read(message.File),
                await ReferencesOfAsync(client, message.File, cancellationToken).ConfigureAwait(false));
            var id = options.AutoRegister
                ? await client.RegisterAsync(subject, schema, cancellationToken).ConfigureAwait(false)
                : (await LookupExistingAsync(client, subject, schema, message.File, cancellationToken).ConfigureAwait(false)).Id;
            resolved[key] = id;
            return id;
        }
        finally
        {
            registration.Release();
        }
    }

    public void Dispose()
    {
        client?.Dispose();
        registration.Dispose();
    }

    private int FixedId(MessageDescriptor message)
    {
        if (options.FixedSchemaIds.TryGetValue(message.FullName, out var id))
        {
            return id;
        }

        return options.DefaultSchemaId ?? throw new InvalidOperationException(
            $"No Schema Registry URL is configured and no fixed schema id is set for {message.FullName}: " +
            $"set {nameof(SchemaRegistryOptions.Url)}, {nameof(SchemaRegistryOptions.FixedSchemaIds)}[\"{message.FullName}\"] " +
            $"or {nameof(SchemaRegistryOptions.DefaultSchemaId)}.");
    }

    /// <summary>References for the imports of <paramref name="file"/>, registering (or finding) each import first.</summary>
    private async Task<IReadOnlyList<SchemaReference>> ReferencesOfAsync(SchemaRegistryClient registry, FileDescriptor file, CancellationToken cancellationToken)
    {
        var result = new List<SchemaReference>();
        foreach (var dependency in file.Dependencies)
        {
            if (WellKnownImportPrefixes.Any(p => dependency.Name.StartsWith(p, StringComparison.Ordinal)))
            {
                continue;
            }

            if (!references.TryGetValue(dependency.Name, out var reference))
            {
                var subject = SubjectNames.Reference(dependency.Name);
                var schema = SchemaDefinition.Protobuf(
                    ProtoSchemaSources.Read(dependency),
                    await ReferencesOfAsync(registry, dependency, cancellationToken).ConfigureAwait(false));
                if (options.AutoRegister)
                {
                    await registry.RegisterAsync(subject, schema, cancellationToken).ConfigureAwait(false);
                }

                // A reference names a version, which only the lookup reports.
                var registered = await LookupExistingAsync(registry, subject, schema, dependency, cancellationToken).ConfigureAwait(false);
                reference = new SchemaReference(dependency.Name, subject, registered.Version);
                references[dependency.Name] = reference;
            }

            result.Add(reference);
        }

        return result;
    }

    private async Task<RegisteredSchema> LookupExistingAsync(
        SchemaRegistryClient registry, string subject, SchemaDefinition schema, FileDescriptor file, CancellationToken cancellationToken) =>
        await registry.LookupAsync(subject, schema, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException(
            $"Schema {file.Name} is not registered under subject '{subject}'" +
            (options.AutoRegister ? " although it was just registered." : $" and {nameof(SchemaRegistryOptions.AutoRegister)} is off: register it first."));
}
