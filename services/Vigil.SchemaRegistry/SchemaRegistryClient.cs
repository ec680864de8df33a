using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.SchemaRegistry;

/// <summary>
/// The few Confluent Schema Registry REST calls Vigil needs: register a schema under a subject, look up an
/// existing registration, fetch a schema by id. Requests that failed transiently (408, 429, 5xx, no
/// connection) are retried a few times with backoff; other errors surface as <see cref="SchemaRegistryException"/>.
/// </summary>
public sealed class SchemaRegistryClient
{
    /// <summary>Content type of Schema Registry request and response bodies.</summary>
    public const string MediaType = "application/vnd.schemaregistry.v1+json";

    private const string AcceptHeader = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private const int SubjectNotFound = 40401;
    private const int SchemaNotFound = 40403;
    private const int MaxAttempts = 4;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient http;
    private readonly Uri baseAddress;
    private readonly AuthenticationHeaderValue? authorization;

    /// <param name="httpClient">Used for every request; the caller owns it.</param>
    /// <param name="baseAddress">The registry's URL, e.g. http://schema-registry:8081 (a path prefix is kept).</param>
    /// <param name="basicAuthUserInfo">"user:password" for HTTP basic authentication, as Confluent's basic.auth.user.info.</param>
    public SchemaRegistryClient(HttpClient httpClient, Uri baseAddress, string? basicAuthUserInfo = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The Schema Registry URL must be an absolute http or https URL, not '{baseAddress}'.", nameof(baseAddress));
        }

        http = httpClient;
        this.baseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        if (basicAuthUserInfo is not null)
        {
            if (!basicAuthUserInfo.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException("Basic auth user info must have the form 'user:password'.", nameof(basicAuthUserInfo));
            }

            authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basicAuthUserInfo)));
        }
    }

    /// <summary>
    /// Registers <paramref name="schema"/> under <paramref name="subject"/> (POST /subjects/{subject}/versions)
    /// and returns its global id; registering a schema the subject already has returns the existing id.
    /// </summary>
    public async Task<int> RegisterAsync(string subject, SchemaDefinition schema, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(schema);
        using var response = await SendAsync(HttpMethod.Post, $"subjects/{Uri.EscapeDataString(subject)}/versions", ToRequest(schema), cancellationToken)
            .ConfigureAwait(false);
        await ThrowOnErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var body = await ReadAsync<IdResponse>(response, cancellationToken).ConfigureAwait(false);
        return body.Id ?? throw Unexpected(response, "no 'id'");
    }

    /// <summary>
    /// Finds <paramref name="schema"/> among the versions of <paramref name="subject"/> (POST /subjects/{subject});
    /// null when the subject or the schema is not registered.
    /// </summary>
    public async Task<RegisteredSchema?> LookupAsync(string subject, SchemaDefinition schema, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(schema);
        using var response = await SendAsync(HttpMethod.Post, $"subjects/{Uri.EscapeDataString(subject)}", ToRequest(schema), cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            if (error.ErrorCode is SubjectNotFound or SchemaNotFound)
            {
                return null;
            }

            throw error;
        }

        await ThrowOnErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var body = await ReadAsync<SchemaResponse>(response, cancellationToken).ConfigureAwait(false);
        return new RegisteredSchema(
            body.Subject ?? subject,
            body.Id ?? throw Unexpected(response, "no 'id'"),
            body.Version ?? throw Unexpected(response, "no 'version'"),
            ToDefinition(body, response));
    }

    /// <summary>Fetches the schema with global id <paramref name="id"/> (GET /schemas/ids/{id}).</summary>
    public async Task<SchemaDefinition> GetByIdAsync(int id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"schemas/ids/{id}", null, cancellationToken).ConfigureAwait(false);
        await ThrowOnErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return ToDefinition(await ReadAsync<SchemaResponse>(response, cancellationToken).ConfigureAwait(false), response);
    }

    private static SchemaRequest ToRequest(SchemaDefinition schema) =>
        new(schema.SchemaType, schema.Schema, schema.References.Select(r => new ReferenceBody(r.Name, r.Subject, r.Version)).ToArray());

    private static SchemaDefinition ToDefinition(SchemaResponse body, HttpResponseMessage response) =>
        new(
            body.Schema ?? throw Unexpected(response, "no 'schema'"),
            // The registry leaves schemaType out for Avro, its original and default type.
            body.SchemaType ?? "AVRO",
            (body.References ?? []).Select(r => new SchemaReference(
                r.Name ?? throw Unexpected(response, "a reference without 'name'"),
                r.Subject ?? throw Unexpected(response, "a reference without 'subject'"),
                r.Version ?? throw Unexpected(response, "a reference without 'version'"))).ToArray());

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string relativePath, object? body, CancellationToken cancellationToken)
    {
        var payload = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, JsonOptions);
        var uri = new Uri(baseAddress, relativePath);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.TryAddWithoutValidation("Accept", AcceptHeader);
            request.Headers.Authorization = authorization;
            if (payload is not null)
            {
                request.Content = new ByteArrayContent(payload);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < MaxAttempts)
            {
                await Task.Delay(RetryDelay(attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (attempt < MaxAttempts && IsTransient(response.StatusCode))
            {
                response.Dispose();
                await Task.Delay(RetryDelay(attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response;
        }
    }

    private static TimeSpan RetryDelay(int attempt) => FirstRetryDelay * Math.Pow(2, attempt - 1);

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static async Task ThrowOnErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<SchemaRegistryException> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var request = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}";
        try
        {
            var error = JsonSerializer.Deserialize<ErrorResponse>(text, JsonOptions);
            if (error?.ErrorCode is { } code)
            {
                return new SchemaRegistryException(
                    response.StatusCode, code, $"Schema Registry error {code} on {request}: {error.Message ?? response.ReasonPhrase}");
            }
        }
        catch (JsonException)
        {
            // Not a registry error body (e.g. a proxy's HTML page): report the status and a bit of the body below.
        }

        var excerpt = text.Length > 200 ? text[..200] + "…" : text;
        return new SchemaRegistryException(
            response.StatusCode, (int)response.StatusCode, $"Schema Registry answered {(int)response.StatusCode} {response.ReasonPhrase} on {request}: {excerpt}");
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync<T>(stream, JsonOptions, cancellationToken).ConfigureAwait(false)
                    ?? throw Unexpected(response, "an empty body");
            }
        }
        catch (JsonException e)
        {
            throw new SchemaRegistryException(response.StatusCode, (int)response.StatusCode, $"Schema Registry sent a body that is not the expected JSON: {e.Message}");
        }
    }

    private static SchemaRegistryException Unexpected(HttpResponseMessage response, string what) =>
        new(response.StatusCode, (int)response.StatusCode,
            $"Schema Registry answered {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} with {what}.");

    private sealed record SchemaRequest(string SchemaType, string Schema, IReadOnlyList<ReferenceBody> References);

    private sealed record ReferenceBody(string? Name, string? Subject, int? Version);

    private sealed record IdResponse(int? Id);

    private sealed record SchemaResponse(string? Subject, int? Id, int? Version, string? SchemaType, string? Schema, IReadOnlyList<ReferenceBody>? References);

    private sealed record ErrorResponse([property: JsonPropertyName("error_code")] int? ErrorCode, string? Message);
}
