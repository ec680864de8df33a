using System.Net;
using System.Text.Json.Nodes;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;

namespace Vigil.SchemaRegistry.UnitTests;

public sealed class SchemaRegistryClientTests : IAsyncLifetime
{
    private static readonly string TelemetryProto = ProtoSchemaSources.Read(TelemetryEvent.Descriptor.File);
    private static readonly string AlertProto = ProtoSchemaSources.Read(Alert.Descriptor.File);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private LoopbackSchemaRegistry registry = null!;

    public async ValueTask InitializeAsync() => registry = await LoopbackSchemaRegistry.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await registry.DisposeAsync();
    }

    [Fact]
    public async Task RegisteringPostsTheProtobufSchemaTextWithTheRegistryContentType()
    {
        using var client = new SchemaRegistryClient(registry.Url);

        var id = await client.RegisterAsync("vigil.telemetry.macos.v1-value", SchemaDefinition.Protobuf(TelemetryProto), Ct);

        var request = Assert.Single(registry.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/subjects/vigil.telemetry.macos.v1-value/versions", request.Path);
        Assert.Equal("application/vnd.schemaregistry.v1+json", request.ContentType);
        Assert.StartsWith("application/vnd.schemaregistry.v1+json", request.Accept, StringComparison.Ordinal);
        Assert.Equal("PROTOBUF", (string?)request.Json["schemaType"]);
        Assert.Equal(TelemetryProto, (string?)request.Json["schema"]);
        Assert.Empty(request.Json["references"]!.AsArray());
        Assert.Equal(1, id);
    }

    [Fact]
    public async Task RegisteringAnAlreadyRegisteredSchemaReturnsItsExistingId()
    {
        using var client = new SchemaRegistryClient(registry.Url);
        var first = await client.RegisterAsync("a-value", SchemaDefinition.Protobuf(TelemetryProto), Ct);

        var again = await client.RegisterAsync("a-value", SchemaDefinition.Protobuf(TelemetryProto), Ct);
        var underAnotherSubject = await client.RegisterAsync("b-value", SchemaDefinition.Protobuf(TelemetryProto), Ct);

        Assert.Equal(first, again);
        Assert.Equal(first, underAnotherSubject);
    }

    [Fact]
    public async Task ASubjectNamedByAnImportPathIsPercentEncodedIntoOnePathSegment()
    {
        using var client = new SchemaRegistryClient(registry.Url);

        await client.RegisterAsync("vigil/telemetry/v1/telemetry.proto", SchemaDefinition.Protobuf(TelemetryProto), Ct);

        Assert.Equal("/subjects/vigil%2Ftelemetry%2Fv1%2Ftelemetry.proto/versions", Assert.Single(registry.Requests).Path);
    }

    [Fact]
    public async Task ReferencesAreSentWithNameSubjectAndVersion()
    {
        using var client = new SchemaRegistryClient(registry.Url);
        await client.RegisterAsync("vigil/telemetry/v1/telemetry.proto", SchemaDefinition.Protobuf(TelemetryProto), Ct);
        var reference = new SchemaReference("vigil/telemetry/v1/telemetry.proto", "vigil/telemetry/v1/telemetry.proto", 1);

        await client.RegisterAsync("vigil.alerts.v1-value", SchemaDefinition.Protobuf(AlertProto, [reference]), Ct);

        var sent = Assert.Single(registry.Requests[1].Json["references"]!.AsArray())!.AsObject();
        Assert.Equal("vigil/telemetry/v1/telemetry.proto", (string?)sent["name"]);
        Assert.Equal("vigil/telemetry/v1/telemetry.proto", (string?)sent["subject"]);
        Assert.Equal(1, (int?)sent["version"]);
    }

    [Fact]
    public async Task LookupReturnsTheRegistrationWithItsSubjectIdAndVersion()
    {
        using var client = new SchemaRegistryClient(registry.Url);
        registry.Seed("t-value", "syntax = \"proto3\"; message Old {}");
        var id = registry.Seed("t-value", TelemetryProto);

        var found = await client.LookupAsync("t-value", SchemaDefinition.Protobuf(TelemetryProto), Ct);

        Assert.NotNull(found);
        Assert.Equal(("t-value", id, 2), (found.Subject, found.Id, found.Version));
        Assert.Equal(TelemetryProto, found.Definition.Schema);
        Assert.Equal("PROTOBUF", found.Definition.SchemaType);
        Assert.Equal("/subjects/t-value", registry.Requests[^1].Path);
        Assert.Equal("POST", registry.Requests[^1].Method);
    }

    [Fact]
    public async Task LookupOfAnUnknownSubjectOrAnUnregisteredSchemaFindsNothing()
    {
        using var client = new SchemaRegistryClient(registry.Url);
        registry.Seed("t-value", TelemetryProto);

        Assert.Null(await client.LookupAsync("no-such-value", SchemaDefinition.Protobuf(TelemetryProto), Ct));
        Assert.Null(await client.LookupAsync("t-value", SchemaDefinition.Protobuf(AlertProto), Ct));
    }

    [Fact]
    public async Task FetchingByIdReturnsTheSchemaTextTypeAndReferences()
    {
        using var client = new SchemaRegistryClient(registry.Url);
        registry.Seed("vigil/telemetry/v1/telemetry.proto", TelemetryProto);
        var id = registry.Seed("vigil.alerts.v1-value", AlertProto, new JsonObject
        {
            ["name"] = "vigil/telemetry/v1/telemetry.proto",
            ["subject"] = "vigil/telemetry/v1/telemetry.proto",
            ["version"] = 1,
        });

        var schema = await client.GetByIdAsync(id, Ct);

        Assert.Equal(AlertProto, schema.Schema);
        Assert.Equal("PROTOBUF", schema.SchemaType);
        Assert.Equal([new SchemaReference("vigil/telemetry/v1/telemetry.proto", "vigil/telemetry/v1/telemetry.proto", 1)], schema.References);
        Assert.Equal($"/schemas/ids/{id}", registry.Requests[^1].Path);
        Assert.Equal("GET", registry.Requests[^1].Method);
    }

    [Fact]
    public async Task ARegistryErrorSurfacesWithItsErrorCodeAndMessage()
    {
        using var client = new SchemaRegistryClient(registry.Url);
        registry.FailNext(HttpStatusCode.Conflict, 409, "Schema being registered is incompatible with an earlier schema");

        var e = await Assert.ThrowsAsync<SchemaRegistryException>(
            () => client.RegisterAsync("t-value", SchemaDefinition.Protobuf(TelemetryProto), Ct));

        Assert.Equal(HttpStatusCode.Conflict, e.StatusCode);
        Assert.Equal(409, e.ErrorCode);
        Assert.Contains("Schema being registered is incompatible with an earlier schema", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisteringWithAReferenceTheRegistryDoesNotHaveFailsWithInvalidSchema()
    {
        using var client = new SchemaRegistryClient(registry.Url);
        var missing = new SchemaReference("vigil/telemetry/v1/telemetry.proto", "vigil/telemetry/v1/telemetry.proto", 1);

        var e = await Assert.ThrowsAsync<SchemaRegistryException>(
            () => client.RegisterAsync("vigil.alerts.v1-value", SchemaDefinition.Protobuf(AlertProto, [missing]), Ct));

        Assert.Equal(42201, e.ErrorCode);
    }

    [Fact]
    public async Task FetchingAnUnknownIdFailsWithSchemaNotFound()
    {
        using var client = new SchemaRegistryClient(registry.Url);

        var e = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetByIdAsync(404, Ct));

        Assert.Equal(40403, e.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task AnErrorBodyThatIsNotRegistryJsonIsReportedWithTheHttpStatus()
    {
        using var client = new SchemaRegistryClient(registry.Url);
        registry.FailNextWithBody(HttpStatusCode.Forbidden, "<html>proxy says no</html>");

        var e = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetByIdAsync(1, Ct));

        Assert.Equal(403, e.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Contains("403", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATransientServerErrorIsRetried()
    {
        using var client = new SchemaRegistryClient(registry.Url);
        registry.FailNext(HttpStatusCode.ServiceUnavailable, 50003, "Error while forwarding the request to the leader");

        var id = await client.RegisterAsync("t-value", SchemaDefinition.Protobuf(TelemetryProto), Ct);

        Assert.Equal(1, id);
        Assert.Equal(2, registry.Requests.Count);
    }

    [Fact]
    public async Task BasicAuthCredentialsAreSentAndARegistryRequiringThemRejectsTheirAbsence()
    {
        await using var secured = await LoopbackSchemaRegistry.StartAsync(basicAuthUserInfo: "vigil:s3cret");
        using var withCredentials = new SchemaRegistryClient(secured.Url, "vigil:s3cret");
        using var withoutCredentials = new SchemaRegistryClient(secured.Url);

        var id = await withCredentials.RegisterAsync("t-value", SchemaDefinition.Protobuf(TelemetryProto), Ct);
        var e = await Assert.ThrowsAsync<SchemaRegistryException>(() => withoutCredentials.GetByIdAsync(id, Ct));

        Assert.Equal("Basic dmlnaWw6czNjcmV0", secured.Requests[0].Authorization);
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
    }
}
