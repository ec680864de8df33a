using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Contracts.Baseline;
using Vigil.Testing;

namespace Vigil.Console.IntegrationTests;

/// <summary>
/// The console's client of the baseline's gRPC API configured as the chart configures it (Console:Baseline* CA,
/// client certificate and token files) against a real vigil-baseline process serving mutual TLS with reads restricted
/// to the read token; certificates come from a throwaway openssl CA.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BaselineTlsTests(ConsoleStack stack) : IAsyncLifetime
{
    private const string ReadToken = "console-read-token-0123456789";

    private readonly TemporaryDirectory files = TemporaryDirectory.Create("vigil-console-tls-");
    private readonly string suffix = Guid.NewGuid().ToString("N")[..10];
    private TestCertificateAuthority authority = null!;
    private TestCertificate client = null!;
    private string tokenFile = null!;
    private ServiceProcess baseline = null!;
    private string grpcUrl = string.Empty;

    public async ValueTask InitializeAsync()
    {
        authority = await TestCertificateAuthority.CreateAsync(files.Path);
        var server = await authority.IssueServerCertificateAsync("baseline", "DNS:localhost", "IP:127.0.0.1");
        client = await authority.IssueClientCertificateAsync("console");
        tokenFile = Path.Combine(files.Path, "read-token");
        await File.WriteAllTextAsync(tokenFile, ReadToken + "\n", TestContext.Current.CancellationToken);

        var (http, grpc) = (FreePorts.One(), FreePorts.One());
        grpcUrl = $"https://127.0.0.1:{grpc}";
        // A baseline of its own (own group, own keys) on the stack's telemetry topic, serving gRPC over mutual TLS.
        baseline = ServiceProcess.Start(TestPaths.ServiceAssembly("Vigil.Baseline", "vigil-baseline"),
        [
            "--urls", $"http://127.0.0.1:{http}", "--grpc-url", grpcUrl,
            $"--Baseline:Api:CertificatePath={server.CertificatePath}",
            $"--Baseline:Api:KeyPath={server.KeyPath}",
            $"--Baseline:Api:ClientCaCertificatePath={authority.Certificate.CertificatePath}",
            "--Baseline:Api:RequireClientCertificate=true",
            $"--Baseline:Api:ReadTokenFile={tokenFile}",
            "--Baseline:Api:AllowLoopbackReads=false",
            .. Infrastructure($"vigil.baseline.tls-{suffix}", $"tls{suffix}"),
        ]);
        await Eventually.TrueAsync(() => baseline.HasExited || ConsoleStack.Answers(grpc), TimeSpan.FromSeconds(60), "the TLS baseline listens");
        if (baseline.HasExited)
        {
            throw new InvalidOperationException($"vigil-baseline exited: {baseline.Stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await baseline.DisposeAsync();
        files.Dispose();
    }

    [Fact]
    public async Task TheConsoleReadsBaselineProfilesOverMutualTlsWithTheReadTokenAndIsRefusedWithout()
    {
        var mac = new BaselineTraffic($"mac-tls-{suffix}");
        await stack.PublishTelemetryAsync([.. mac.Normal(5, BaselineTraffic.Start, new Random(3))]);
        string[] tls =
        [
            $"--Console:BaselineCaCertificatePath={authority.Certificate.CertificatePath}",
            $"--Console:BaselineClientCertificatePath={client.CertificatePath}",
            $"--Console:BaselineClientKeyPath={client.KeyPath}",
        ];

        await using var console = ConsoleApp.Build(ConsoleArguments([.. tls, $"--Console:BaselineTokenFile={tokenFile}"]));
        var reader = console.Services.GetRequiredService<BaselineService.BaselineServiceClient>();
        Profile? profile = null;
        await Eventually.TrueAsync(
            () =>
            {
                try
                {
                    profile = reader.GetProfile(new GetProfileRequest { Image = "com.example.sync", HostId = mac.HostId }, cancellationToken: TestContext.Current.CancellationToken).Profile;
                    return profile.Observations >= 5;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            "the console reads the profile the TLS baseline learned");
        Assert.Contains("com.example.sync", profile!.Image, StringComparison.Ordinal);

        // The same TLS without the token is refused, and so is the token without the client certificate.
        await using var tokenless = ConsoleApp.Build(ConsoleArguments(tls));
        var refused = Assert.Throws<RpcException>(() => tokenless.Services.GetRequiredService<BaselineService.BaselineServiceClient>()
            .ListProfiles(new ListProfilesRequest { Filter = ProfileFilter.All }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(refused.StatusCode, new[] { StatusCode.Unauthenticated, StatusCode.PermissionDenied });
        await using var certificateless = ConsoleApp.Build(ConsoleArguments([tls[0], $"--Console:BaselineTokenFile={tokenFile}"]));
        Assert.Throws<RpcException>(() => certificateless.Services.GetRequiredService<BaselineService.BaselineServiceClient>()
            .ListProfiles(new ListProfilesRequest { Filter = ProfileFilter.All }, cancellationToken: TestContext.Current.CancellationToken));
    }

    private string[] ConsoleArguments(string[] baselineClient) =>
    [
        "--urls", "http://127.0.0.1:0",
        "--rules", Path.Combine(TestPaths.RepoRoot, "rules"),
        "--baseline", grpcUrl,
        .. baselineClient,
        .. Infrastructure(null, $"tlsconsole{suffix}"),
    ];

    private string[] Infrastructure(string? group, string keyPrefix) =>
    [
        $"--Kafka:BootstrapServers={stack.BootstrapServers}",
        $"--Kafka:TopicManifest={stack.ManifestPath}",
        "--Kafka:Consumer:MaxBatchWait=00:00:00.020",
        .. group is null ? Array.Empty<string>() : [$"--Kafka:Consumer:GroupId={group}"],
        $"--Redis:Endpoints:0={stack.RedisEndpoint}",
        $"--Redis:KeyPrefix={keyPrefix}",
        "--Vigil:LogFormat=simple",
        "--Logging:LogLevel:Default=Warning",
    ];
}
