using System.Net;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;

namespace Vigil.SchemaRegistry.UnitTests;

public sealed class SchemaIdResolverTests : IAsyncLifetime
{
    private const string TelemetryTopic = "vigil.telemetry.macos.v1";
    private const string AlertTopic = "vigil.alerts.v1";
    private const string TelemetryImport = "vigil/telemetry/v1/telemetry.proto";

    private LoopbackSchemaRegistry registry = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => registry = await LoopbackSchemaRegistry.StartAsync();

    public async ValueTask DisposeAsync() => await registry.DisposeAsync();

    [Fact]
    public async Task WithoutAUrlEachMessageGetsItsConfiguredFixedIdOrTheDefault()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions
        {
            FixedSchemaIds = new Dictionary<string, int> { ["vigil.alerts.v1.Alert"] = 20 },
            DefaultSchemaId = 10,
        });

        Assert.False(resolver.UsesRegistry);
        Assert.Equal(20, await resolver.ResolveAsync(Alert.Descriptor, AlertTopic, Ct));
        Assert.Equal(10, await resolver.ResolveAsync(TelemetryEvent.Descriptor, TelemetryTopic, Ct));
    }

    [Fact]
    public async Task WithoutAUrlOrAFixedIdResolvingFailsNamingTheSettingsToSet()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => resolver.ResolveAsync(Alert.Descriptor, AlertTopic, Ct));

        Assert.Contains("vigil.alerts.v1.Alert", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SchemaRegistryOptions.DefaultSchemaId), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TelemetryRegistersUnderTheTopicValueSubjectWithoutReferences()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = registry.Url.ToString() });

        var id = await resolver.ResolveAsync(TelemetryEvent.Descriptor, TelemetryTopic, Ct);

        var request = Assert.Single(registry.Requests);
        Assert.Equal($"/subjects/{TelemetryTopic}-value/versions", request.Path);
        Assert.Empty(request.Json["references"]!.AsArray());
        var registered = await GetByIdAsync(registry, id);
        Assert.Equal(ProtoSchemaSources.Read(TelemetryEvent.Descriptor.File), registered.Schema);
    }

    [Fact]
    public async Task AlertRegistersItsTelemetryImportFirstAndReferencesIt()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = registry.Url.ToString() });

        var id = await resolver.ResolveAsync(Alert.Descriptor, AlertTopic, Ct);

        Assert.Equal(
            [
                "POST /subjects/vigil%2Ftelemetry%2Fv1%2Ftelemetry.proto/versions",
                "POST /subjects/vigil%2Ftelemetry%2Fv1%2Ftelemetry.proto",
                $"POST /subjects/{AlertTopic}-value/versions",
            ],
            registry.Requests.Select(r => $"{r.Method} {r.Path}"));
        var alertSchema = await GetByIdAsync(registry, id);
        Assert.Equal(ProtoSchemaSources.Read(Alert.Descriptor.File), alertSchema.Schema);
        Assert.Equal([new SchemaReference(TelemetryImport, TelemetryImport, 1)], alertSchema.References);
    }

    [Fact]
    public async Task AReferenceNamesTheVersionTheImportHasInItsSubject()
    {
        registry.Seed(TelemetryImport, "syntax = \"proto3\"; package vigil.telemetry.v1; message Older {}");
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = registry.Url.ToString() });

        var id = await resolver.ResolveAsync(Alert.Descriptor, AlertTopic, Ct);

        var alertSchema = await GetByIdAsync(registry, id);
        Assert.Equal([new SchemaReference(TelemetryImport, TelemetryImport, 2)], alertSchema.References);
    }

    [Fact]
    public async Task ResolvedIdsAreCachedSoTheRegistryIsAskedOnce()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = registry.Url.ToString() });
        var first = await resolver.ResolveAsync(Alert.Descriptor, AlertTopic, Ct);
        var requestsAfterFirst = registry.Requests.Count;

        var second = await resolver.ResolveAsync(Alert.Descriptor, AlertTopic, Ct);

        Assert.Equal(first, second);
        Assert.Equal(requestsAfterFirst, registry.Requests.Count);
    }

    [Fact]
    public async Task WithoutAutoRegisterAnAlreadyRegisteredSchemaIsFoundByLookupOnly()
    {
        var telemetryProto = ProtoSchemaSources.Read(TelemetryEvent.Descriptor.File);
        registry.Seed(TelemetryImport, telemetryProto);
        var alertId = registry.Seed($"{AlertTopic}-value", ProtoSchemaSources.Read(Alert.Descriptor.File), new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = TelemetryImport,
            ["subject"] = TelemetryImport,
            ["version"] = 1,
        });
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = registry.Url.ToString(), AutoRegister = false });

        var id = await resolver.ResolveAsync(Alert.Descriptor, AlertTopic, Ct);

        Assert.Equal(alertId, id);
        Assert.DoesNotContain(registry.Requests, r => r.Path.EndsWith("/versions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAutoRegisterAMissingSchemaFailsNamingItsSubject()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = registry.Url.ToString(), AutoRegister = false });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => resolver.ResolveAsync(TelemetryEvent.Descriptor, TelemetryTopic, Ct));

        Assert.Contains($"{TelemetryTopic}-value", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(registry.Requests, r => r.Path.EndsWith("/versions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARegistryRejectionSurfacesAndIsNotCached()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = registry.Url.ToString() });
        registry.FailNext(HttpStatusCode.Conflict, 409, "Schema being registered is incompatible with an earlier schema");

        var e = await Assert.ThrowsAsync<SchemaRegistryException>(() => resolver.ResolveAsync(TelemetryEvent.Descriptor, TelemetryTopic, Ct));
        var id = await resolver.ResolveAsync(TelemetryEvent.Descriptor, TelemetryTopic, Ct);

        Assert.Equal(409, e.ErrorCode);
        Assert.Equal(1, id);
    }

    [Fact]
    public async Task ConfiguredBasicAuthIsSentToTheRegistry()
    {
        await using var secured = await LoopbackSchemaRegistry.StartAsync(basicAuthUserInfo: "svc:pw");
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = secured.Url.ToString(), BasicAuthUserInfo = "svc:pw" });

        await resolver.ResolveAsync(TelemetryEvent.Descriptor, TelemetryTopic, Ct);

        Assert.All(secured.Requests, r => Assert.Equal("Basic c3ZjOnB3", r.Authorization));
    }

    [Fact]
    public async Task AUrlWithoutASchemeMeansHttp()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = registry.Url.Authority });

        Assert.Equal(1, await resolver.ResolveAsync(TelemetryEvent.Descriptor, TelemetryTopic, Ct));
    }

    [Theory]
    [InlineData("http://")]
    [InlineData("ftp://registry:8081")]
    public void AUrlThatIsNotAnHttpUrlIsRejectedAtConstruction(string url)
    {
        Assert.Throws<ArgumentException>(() => new SchemaIdResolver(new SchemaRegistryOptions { Url = url }));
    }

    [Fact]
    public void WithoutARegistryAReaderAcceptsOnlyItsMessagesConfiguredId()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions
        {
            FixedSchemaIds = new Dictionary<string, int> { ["vigil.telemetry.v1.TelemetryEvent"] = 1, ["vigil.alerts.v1.Alert"] = 2 },
        });

        Assert.Equal([1], resolver.AcceptedSchemaIds(TelemetryEvent.Descriptor)!);
        Assert.Equal([2], resolver.AcceptedSchemaIds(Alert.Descriptor)!);
    }

    [Fact]
    public void WithARegistryAReaderAcceptsAnyId()
    {
        using var resolver = new SchemaIdResolver(new SchemaRegistryOptions { Url = registry.Url.ToString() });

        Assert.Null(resolver.AcceptedSchemaIds(TelemetryEvent.Descriptor));
    }

    private static async Task<SchemaDefinition> GetByIdAsync(LoopbackSchemaRegistry registry, int id)
    {
        using var client = new SchemaRegistryClient(registry.Url);
        return await client.GetByIdAsync(id, Ct);
    }
}
