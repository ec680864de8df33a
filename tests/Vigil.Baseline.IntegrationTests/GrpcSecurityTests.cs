using System.Security.Authentication;
using Grpc.Core;
using Grpc.Net.Client;
using Vigil.Contracts.Baseline;
using Vigil.ServiceDefaults;
using Vigil.Testing;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// The gRPC API over TLS with certificates from a throwaway openssl CA, mutual TLS, and reads restricted to token
/// holders; called by a real client over a socket and by the real `vigil` CLI.
/// </summary>
public sealed class GrpcSecurityTests(RedisServer redis) : IAsyncLifetime
{
    private const string ReadToken = "read-token-0123456789abcdef";
    private const string ChangeToken = "change-token-0123456789abcdef";

    // A refused handshake surfaces as Unavailable or Internal, depending on where the connection broke.
    private static readonly StatusCode[] NoConnection = [StatusCode.Unavailable, StatusCode.Internal];

    private readonly TemporaryDirectory files = TemporaryDirectory.Create("vigil-baseline-tls-");
    private TestCertificateAuthority authority = null!;
    private TestCertificate server = null!;
    private TestCertificate client = null!;
    private string readTokenFile = null!;
    private string changeTokenFile = null!;

    public async ValueTask InitializeAsync()
    {
        authority = await TestCertificateAuthority.CreateAsync(files.Path);
        server = await authority.IssueServerCertificateAsync("baseline", "DNS:localhost", "IP:127.0.0.1");
        client = await authority.IssueClientCertificateAsync("analyst");
        readTokenFile = Path.Combine(files.Path, "read-token");
        changeTokenFile = Path.Combine(files.Path, "change-token");
        await File.WriteAllTextAsync(readTokenFile, ReadToken + "\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(changeTokenFile, ChangeToken + "\n", TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        files.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task AClientTrustingTheCaReadsOverTlsAndOneTrustingAnotherCaIsRefused()
    {
        await using var stack = new BaselineStack(redis, TlsSettings());
        var baseline = await stack.StartBaselineAsync();
        var other = await TestCertificateAuthority.CreateAsync(files.Path, "other-ca", "Some other CA");

        Assert.StartsWith("https://", baseline.GrpcAddress, StringComparison.Ordinal);
        var listed = await ListAsync(baseline.GrpcAddress, authority.Certificate.CertificatePath, certificate: null, token: null);
        var refused = await Assert.ThrowsAsync<RpcException>(() => ListAsync(baseline.GrpcAddress, other.Certificate.CertificatePath, certificate: null, token: null));
        var plaintext = await Assert.ThrowsAsync<RpcException>(() => ListAsync(baseline.GrpcAddress.Replace("https://", "http://", StringComparison.Ordinal), null, null, null));

        Assert.NotNull(listed.Memory);
        Assert.Contains(refused.StatusCode, NoConnection);
        Assert.IsType<AuthenticationException>(Innermost(refused), exactMatch: false);
        Assert.Contains(plaintext.StatusCode, NoConnection);
    }

    [Fact]
    public async Task WithClientCertificatesRequiredOnlyAClientPresentingOneFromTheCaGetsAnAnswer()
    {
        var settings = TlsSettings();
        settings["Baseline:Api:ClientCaCertificatePath"] = authority.Certificate.CertificatePath;
        settings["Baseline:Api:RequireClientCertificate"] = "true";
        await using var stack = new BaselineStack(redis, settings);
        var baseline = await stack.StartBaselineAsync();
        var stranger = await TestCertificateAuthority.CreateAsync(files.Path, "stranger-ca", "A stranger's CA");
        var strangerClient = await stranger.IssueClientCertificateAsync("stranger");

        var listed = await ListAsync(baseline.GrpcAddress, authority.Certificate.CertificatePath, client, token: null);
        var without = await Assert.ThrowsAsync<RpcException>(() => ListAsync(baseline.GrpcAddress, authority.Certificate.CertificatePath, null, null));
        var foreign = await Assert.ThrowsAsync<RpcException>(() => ListAsync(baseline.GrpcAddress, authority.Certificate.CertificatePath, strangerClient, null));

        Assert.NotNull(listed.Memory);
        Assert.Contains(without.StatusCode, NoConnection);
        Assert.Contains(foreign.StatusCode, NoConnection);
    }

    [Fact]
    public async Task WithReadsRestrictedOnlyHoldersOfTheReadOrChangeTokenRead()
    {
        var settings = TlsSettings();
        settings["Baseline:Api:ReadTokenFile"] = readTokenFile;
        settings["Baseline:Api:AllowLoopbackReads"] = "false";
        settings["Baseline:ChangeTokenFile"] = changeTokenFile;
        await using var stack = new BaselineStack(redis, settings);
        var baseline = await stack.StartBaselineAsync();
        var ca = authority.Certificate.CertificatePath;

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => ListAsync(baseline.GrpcAddress, ca, null, null));
        var wrong = await Assert.ThrowsAsync<RpcException>(() => ListAsync(baseline.GrpcAddress, ca, null, "not-the-token-at-all-0000"));
        var explainAnonymous = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var channel = Channel(baseline.GrpcAddress, ca, null, null);
            await new BaselineService.BaselineServiceClient(channel).ExplainAlertAsync(new ExplainAlertRequest { AlertId = "x" }, cancellationToken: TestContext.Current.CancellationToken);
        });
        var withRead = await ListAsync(baseline.GrpcAddress, ca, null, ReadToken);
        var withChange = await ListAsync(baseline.GrpcAddress, ca, null, ChangeToken);

        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Contains("Baseline:Api:ReadTokenFile", anonymous.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, explainAnonymous.StatusCode);
        Assert.NotNull(withRead.Memory);
        Assert.NotNull(withChange.Memory);
    }

    [Fact]
    public async Task TheCliReadsOverMutualTlsWithTheReadTokenAndSaysWhyWithout()
    {
        var settings = TlsSettings();
        settings["Baseline:Api:ClientCaCertificatePath"] = authority.Certificate.CertificatePath;
        settings["Baseline:Api:RequireClientCertificate"] = "true";
        settings["Baseline:Api:ReadTokenFile"] = readTokenFile;
        settings["Baseline:Api:AllowLoopbackReads"] = "false";
        await using var stack = new BaselineStack(redis, settings);
        var baseline = await stack.StartBaselineAsync();
        string[] tls = ["--server", baseline.GrpcAddress, "--ca-file", authority.Certificate.CertificatePath, "--cert-file", client.CertificatePath, "--key-file", client.KeyPath];

        var (code, lines, _) = await RunCliAsync(["baseline", "list", .. tls, "--token-file", readTokenFile]);
        var (deniedCode, _, denied) = await RunCliAsync(["baseline", "list", .. tls]);

        Assert.Equal(0, code);
        Assert.Contains(lines, l => l.StartsWith("IMAGE", StringComparison.Ordinal));
        Assert.Equal(1, deniedCode);
        Assert.Contains("Baseline:Api:ReadTokenFile", denied, StringComparison.Ordinal);
    }

    [Fact]
    public void AnHttpsGrpcUrlWithoutACertificateFailsAtStartNamingTheKey()
    {
        var problems = Vigil.Baseline.Api.BaselineApiOptionsValidation.Problems(new Vigil.Baseline.Api.BaselineApiOptions(), "https://127.0.0.1:7411");
        var noCa = Vigil.Baseline.Api.BaselineApiOptionsValidation.Problems(
            new Vigil.Baseline.Api.BaselineApiOptions { CertificatePath = server.CertificatePath, KeyPath = server.KeyPath, RequireClientCertificate = true }, "https://127.0.0.1:7411");

        Assert.Contains(problems, p => p.StartsWith("Baseline:Api:CertificatePath is required", StringComparison.Ordinal));
        Assert.Contains(noCa, p => p.StartsWith("Baseline:Api:RequireClientCertificate", StringComparison.Ordinal));
    }

    private Dictionary<string, string> TlsSettings() => new()
    {
        ["Baseline:GrpcUrl"] = "https://127.0.0.1:0",
        ["Baseline:Api:CertificatePath"] = server.CertificatePath,
        ["Baseline:Api:KeyPath"] = server.KeyPath,
    };

    private static GrpcChannel Channel(string address, string? ca, TestCertificate? certificate, string? token) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = GrpcClientHandler.Create(ca, certificate?.CertificatePath, certificate?.KeyPath, token),
        });

    private static async Task<ListProfilesResponse> ListAsync(string address, string? ca, TestCertificate? certificate, string? token)
    {
        using var channel = Channel(address, ca, certificate, token);
        return await new BaselineService.BaselineServiceClient(channel).ListProfilesAsync(new ListProfilesRequest(), cancellationToken: TestContext.Current.CancellationToken);
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    private static async Task<(int ExitCode, List<string> Lines, string Errors)> RunCliAsync(string[] arguments)
    {
        await using var vigil = ServiceProcess.Start(TestPaths.ServiceAssembly("Vigil.Cli", "vigil"), arguments);
        await Eventually.TrueAsync(() => vigil.HasExited, TimeSpan.FromSeconds(60), $"vigil {string.Join(' ', arguments)} exited");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        return (vigil.ExitCode, [.. vigil.Lines], vigil.Stderr);
    }
}
