using System.Net;
using Confluent.SchemaRegistry;
using ConfluentRegistryException = Confluent.SchemaRegistry.SchemaRegistryException;
using ConfluentSchemaReference = Confluent.SchemaRegistry.SchemaReference;

namespace Vigil.SchemaRegistry;

/// <summary>
/// The Schema Registry calls Vigil needs (register a schema under a subject, look up an existing registration, fetch a
/// schema by id), made through Confluent's <see cref="CachedSchemaRegistryClient"/>: its REST protocol, retries of
/// 408/429/5xx answers with backoff, basic authentication and caching. Registry errors surface as Vigil's
/// <see cref="SchemaRegistryException"/> with the registry's error_code; a registry that cannot be reached at all is
/// tried a few times before the <see cref="HttpRequestException"/> surfaces.
/// </summary>
public sealed class SchemaRegistryClient : IDisposable
{
    /// <summary>Content type of Schema Registry request and response bodies.</summary>
    public const string MediaType = "application/vnd.schemaregistry.v1+json";

    private const int SubjectNotFound = 40401;
    private const int SchemaNotFound = 40403;
    private const int ConnectAttempts = 4;
    private static readonly TimeSpan FirstConnectRetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly CachedSchemaRegistryClient client;

    /// <param name="baseAddress">The registry's URL, e.g. http://schema-registry:8081.</param>
    /// <param name="basicAuthUserInfo">"user:password" for HTTP basic authentication, as Confluent's basic.auth.user.info.</param>
    /// <param name="requestTimeout">Per-request timeout; 30 seconds when null.</param>
    public SchemaRegistryClient(Uri baseAddress, string? basicAuthUserInfo = null, TimeSpan? requestTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The Schema Registry URL must be an absolute http or https URL, not '{baseAddress}'.", nameof(baseAddress));
        }

        if (basicAuthUserInfo is not null && !basicAuthUserInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("Basic auth user info must have the form 'user:password'.", nameof(basicAuthUserInfo));
        }

        var config = new SchemaRegistryConfig
        {
            Url = baseAddress.AbsoluteUri,
            RequestTimeoutMs = (int)(requestTimeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds,
            // Four attempts, 200 ms then doubling: a registry restarting behind a load balancer is waited for briefly.
            MaxRetries = 4,
            RetriesWaitMs = 200,
            RetriesMaxWaitMs = 2000,
        };
        if (basicAuthUserInfo is not null)
        {
            config.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
            config.BasicAuthUserInfo = basicAuthUserInfo;
        }

        client = new CachedSchemaRegistryClient(config);
    }

    /// <summary>
    /// Registers <paramref name="schema"/> under <paramref name="subject"/> (POST /subjects/{subject}/versions)
    /// and returns its global id; registering a schema the subject already has returns the existing id.
    /// </summary>
    public Task<int> RegisterAsync(string subject, SchemaDefinition schema, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(schema);
        return CallAsync(() => client.RegisterSchemaAsync(subject, ToConfluent(schema), normalize: false), cancellationToken);
    }

    /// <summary>
    /// Finds <paramref name="schema"/> among the versions of <paramref name="subject"/> (POST /subjects/{subject});
    /// null when the subject or the schema is not registered.
    /// </summary>
    public async Task<RegisteredSchema?> LookupAsync(string subject, SchemaDefinition schema, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(schema);
        try
        {
            var found = await CallAsync(() => client.LookupSchemaAsync(subject, ToConfluent(schema), ignoreDeletedSchemas: true, normalize: false), cancellationToken)
                .ConfigureAwait(false);
            return new RegisteredSchema(found.Subject ?? subject, found.Id, found.Version, FromConfluent(found.SchemaString, found.SchemaType, found.References));
        }
        catch (SchemaRegistryException e) when (e.ErrorCode is SubjectNotFound or SchemaNotFound)
        {
            return null;
        }
    }

    /// <summary>Fetches the schema with global id <paramref name="id"/> (GET /schemas/ids/{id}).</summary>
    public async Task<SchemaDefinition> GetByIdAsync(int id, CancellationToken cancellationToken = default)
    {
        var schema = await CallAsync(() => client.GetSchemaAsync(id), cancellationToken).ConfigureAwait(false);
        return FromConfluent(schema.SchemaString, schema.SchemaType, schema.References);
    }

    public void Dispose() => client.Dispose();

    private static Schema ToConfluent(SchemaDefinition schema) =>
        new(schema.Schema, schema.References.Select(r => new ConfluentSchemaReference(r.Name, r.Subject, r.Version)).ToList(), TypeOf(schema.SchemaType));

    private static SchemaDefinition FromConfluent(string text, SchemaType type, IEnumerable<ConfluentSchemaReference>? references) =>
        new(text, NameOf(type), (references ?? []).Select(r => new SchemaReference(r.Name, r.Subject, r.Version)).ToArray());

    private static SchemaType TypeOf(string name) => name.ToUpperInvariant() switch
    {
        SchemaDefinition.ProtobufType => SchemaType.Protobuf,
        "AVRO" => SchemaType.Avro,
        "JSON" => SchemaType.Json,
        _ => throw new ArgumentException($"Schema type '{name}' is not one the registry knows (PROTOBUF, AVRO, JSON).", nameof(name)),
    };

    private static string NameOf(SchemaType type) => type switch
    {
        SchemaType.Protobuf => SchemaDefinition.ProtobufType,
        SchemaType.Json => "JSON",
        _ => "AVRO",
    };

    /// <summary>
    /// Runs one registry call: Confluent's client already retries answers that are transient, so here only a registry
    /// that cannot be reached is retried, and Confluent's exception becomes Vigil's with the registry's error code.
    /// </summary>
    private static async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ConfluentRegistryException e)
            {
                // Confluent reports -1 when the error body was not the registry's JSON (e.g. a proxy's page).
                var code = e.ErrorCode > 0 ? e.ErrorCode : (int)e.Status;
                throw new SchemaRegistryException(e.Status, code, $"Schema Registry error {code} ({(int)e.Status} {e.Status}): {e.Message}", e);
            }
            catch (HttpRequestException e) when (e.Message == "Unauthorized")
            {
                throw new SchemaRegistryException(HttpStatusCode.Unauthorized, (int)HttpStatusCode.Unauthorized, "Schema Registry refused the credentials (401 Unauthorized).", e);
            }
            catch (HttpRequestException) when (attempt < ConnectAttempts)
            {
                await Task.Delay(FirstConnectRetryDelay * Math.Pow(2, attempt - 1), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
