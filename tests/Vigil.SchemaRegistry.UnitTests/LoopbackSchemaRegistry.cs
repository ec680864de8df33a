using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.SchemaRegistry.UnitTests;

/// <summary>
/// A Schema Registry on 127.0.0.1 (Kestrel, free port) implementing the endpoints Vigil calls with the
/// registry's own semantics: global ids shared by identical schemas, per-subject versions, references that
/// must already be registered, error bodies with error_code. It records every request it receives.
/// </summary>
internal sealed class LoopbackSchemaRegistry : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly object gate = new();
    private readonly List<StoredSchema> schemas = [];
    private readonly Dictionary<string, List<int>> subjects = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(HttpStatusCode Status, string Body)> scriptedFailures = new();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly string? requiredAuthorization;

    private LoopbackSchemaRegistry(WebApplication app, string? basicAuthUserInfo)
    {
        this.app = app;
        requiredAuthorization = basicAuthUserInfo is null
            ? null
            : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(basicAuthUserInfo));
    }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    public static async Task<LoopbackSchemaRegistry> StartAsync(string? basicAuthUserInfo = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var registry = new LoopbackSchemaRegistry(builder.Build(), basicAuthUserInfo);
        registry.app.Run(registry.HandleAsync);
        await registry.app.StartAsync();
        var address = registry.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        registry.Url = new Uri(address + "/");
        return registry;
    }

    /// <summary>Answers the next request with <paramref name="status"/> and a registry error body, whatever it asks.</summary>
    public void FailNext(HttpStatusCode status, int errorCode, string message) =>
        scriptedFailures.Enqueue((status, ErrorBody(errorCode, message)));

    /// <summary>Answers the next request with <paramref name="status"/> and <paramref name="body"/> as is.</summary>
    public void FailNextWithBody(HttpStatusCode status, string body) => scriptedFailures.Enqueue((status, body));

    /// <summary>Registers a schema directly, as another producer would have.</summary>
    public int Seed(string subject, string schema, params JsonObject[] references)
    {
        lock (gate)
        {
            return Register(subject, schema, "PROTOBUF", new JsonArray(references)).Id;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync();
        requests.Enqueue(new RecordedRequest(
            context.Request.Method,
            rawTarget,
            context.Request.ContentType,
            context.Request.Headers.Accept.ToString(),
            context.Request.Headers.Authorization.ToString(),
            body));

        var (status, response) = Answer(context.Request.Method, rawTarget, context.Request.Headers.Authorization.ToString(), body);
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = SchemaRegistryClient.MediaType;
        await context.Response.WriteAsync(response);
    }

    private (HttpStatusCode, string) Answer(string method, string rawTarget, string authorization, string body)
    {
        if (requiredAuthorization is not null && authorization != requiredAuthorization)
        {
            return (HttpStatusCode.Unauthorized, ErrorBody(401, "Unauthorized"));
        }

        if (scriptedFailures.TryDequeue(out var failure))
        {
            return failure;
        }

        var path = rawTarget.Split('?')[0];
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        lock (gate)
        {
            return (method, segments) switch
            {
                ("POST", ["subjects", var subject, "versions"]) => RegisterRequest(subject, body),
                ("POST", ["subjects", var subject]) => Lookup(subject, body),
                ("GET", ["schemas", "ids", var id]) when int.TryParse(id, out var schemaId) => GetById(schemaId),
                _ => (HttpStatusCode.NotFound, ErrorBody(404, "HTTP 404 Not Found")),
            };
        }
    }

    private (HttpStatusCode, string) RegisterRequest(string subject, string body)
    {
        if (!TryParseSchema(body, out var schema, out var schemaType, out var references, out var invalid))
        {
            return invalid;
        }

        foreach (var reference in references.OfType<JsonObject>())
        {
            var referencedSubject = (string?)reference["subject"];
            var version = (int?)reference["version"];
            if (referencedSubject is null || version is null || (string?)reference["name"] is null
                || !subjects.TryGetValue(referencedSubject, out var versions) || version < 1 || version > versions.Count)
            {
                return (HttpStatusCode.UnprocessableEntity, ErrorBody(42201, $"Invalid schema: reference {reference.ToJsonString()} is not registered"));
            }
        }

        return (HttpStatusCode.OK, new JsonObject { ["id"] = Register(subject, schema, schemaType, references).Id }.ToJsonString());
    }

    private (HttpStatusCode, string) Lookup(string subject, string body)
    {
        if (!TryParseSchema(body, out var schema, out var schemaType, out var references, out var invalid))
        {
            return invalid;
        }

        if (!subjects.TryGetValue(subject, out var versions))
        {
            return (HttpStatusCode.NotFound, ErrorBody(40401, $"Subject '{subject}' not found."));
        }

        var stored = Find(schema, schemaType, references);
        var version = stored is null ? -1 : versions.IndexOf(stored.Id);
        if (stored is null || version < 0)
        {
            return (HttpStatusCode.NotFound, ErrorBody(40403, "Schema not found"));
        }

        return (HttpStatusCode.OK, new JsonObject
        {
            ["subject"] = subject,
            ["version"] = version + 1,
            ["id"] = stored.Id,
            ["schemaType"] = stored.SchemaType,
            ["references"] = stored.References.DeepClone(),
            ["schema"] = stored.Schema,
        }.ToJsonString());
    }

    private (HttpStatusCode, string) GetById(int id)
    {
        var stored = schemas.FirstOrDefault(s => s.Id == id);
        if (stored is null)
        {
            return (HttpStatusCode.NotFound, ErrorBody(40403, "Schema not found"));
        }

        var response = new JsonObject { ["schema"] = stored.Schema };
        if (stored.SchemaType != "AVRO")
        {
            response["schemaType"] = stored.SchemaType;
        }

        if (stored.References.Count > 0)
        {
            response["references"] = stored.References.DeepClone();
        }

        return (HttpStatusCode.OK, response.ToJsonString());
    }

    private StoredSchema Register(string subject, string schema, string schemaType, JsonArray references)
    {
        var stored = Find(schema, schemaType, references);
        if (stored is null)
        {
            stored = new StoredSchema(schemas.Count + 1, schema, schemaType, (JsonArray)references.DeepClone());
            schemas.Add(stored);
        }

        var versions = subjects.TryGetValue(subject, out var existing) ? existing : subjects[subject] = [];
        if (!versions.Contains(stored.Id))
        {
            versions.Add(stored.Id);
        }

        return stored;
    }

    private StoredSchema? Find(string schema, string schemaType, JsonArray references) =>
        schemas.FirstOrDefault(s => s.Schema == schema && s.SchemaType == schemaType && JsonNode.DeepEquals(s.References, references));

    private static bool TryParseSchema(
        string body, out string schema, out string schemaType, out JsonArray references, out (HttpStatusCode, string) invalid)
    {
        schema = schemaType = "";
        references = [];
        invalid = (HttpStatusCode.UnprocessableEntity, ErrorBody(42201, "Invalid schema: the request body is not a schema"));
        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            invalid = (HttpStatusCode.BadRequest, ErrorBody(400, "Unrecognized request body"));
            return false;
        }

        if (request?["schema"] is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            return false;
        }

        schema = text;
        schemaType = (string?)request["schemaType"] ?? "AVRO";
        references = request["references"] as JsonArray ?? [];
        return true;
    }

    private static string ErrorBody(int errorCode, string message) =>
        new JsonObject { ["error_code"] = errorCode, ["message"] = message }.ToJsonString();

    private sealed record StoredSchema(int Id, string Schema, string SchemaType, JsonArray References);
}

/// <summary>One request as the loopback registry received it; <see cref="RawTarget"/> is the path exactly as sent (still percent-encoded).</summary>
internal sealed record RecordedRequest(string Method, string RawTarget, string? ContentType, string Accept, string Authorization, string Body)
{
    /// <summary>The target without its query (Confluent's client adds e.g. <c>?normalize=False</c>), still percent-encoded.</summary>
    public string Path => RawTarget.Split('?')[0];

    public JsonObject Json => (JsonObject)JsonNode.Parse(Body)!;
}
