using StackExchange.Redis;
using Vigil.Baseline.UnitTests;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>`vigil baseline show|list|explain|accept` as a real process against a running baseline's gRPC port.</summary>
public sealed class BaselineCliTests(RedisServer redis)
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ShowPrintsWhatIsNormalForAnImageAndListFiltersByMaturity(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var mac = new BaselineTelemetry("mac-cli");
        await stack.PublishAsync(NormalTraffic.Connections(mac, SyncAgent("agent-1"), 12, Start, 30 * Second, new Random(4)));
        await stack.PublishAsync(mac.Connect(Apple("curl-1", "curl", "/usr/bin/curl"), Start));
        await stack.DrainAsync(baseline, mac.HostId);

        var (showCode, show) = await RunAsync("baseline", "show", "com.example.sync", "--host", mac.HostId, "--server", baseline.GrpcAddress);
        var (listCode, list) = await RunAsync("baseline", "list", "--filter", "immature", "--server", baseline.GrpcAddress);
        var (missingCode, _) = await RunAsync("baseline", "show", "com.example.none", "--server", baseline.GrpcAddress);

        Assert.Equal(0, showCode);
        Assert.StartsWith("signing:TEAM123456/com.example.sync  (code-signing)  MATURE since", show[0]);
        Assert.Contains(show, l => l.Contains("tcp/https/well-known", StringComparison.Ordinal) && l.Contains(" 12 ", StringComparison.Ordinal));
        Assert.Contains(show, l => l.Contains($"on host {mac.HostId}", StringComparison.Ordinal));
        Assert.Equal(0, listCode);
        Assert.Contains(list, l => l.StartsWith("signing:com.apple.curl", StringComparison.Ordinal) && l.Contains("learning", StringComparison.Ordinal));
        Assert.DoesNotContain(list, l => l.Contains("com.example.sync", StringComparison.Ordinal));
        Assert.Equal(1, missingCode);
    }

    [Fact]
    public async Task ExplainPrintsTheExpectedAndObservedFactsOfAnAlert()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        var (mac, alert) = await SshAlertAsync(stack, baseline);

        var (code, lines) = await RunAsync("baseline", "explain", alert.Id, "--server", baseline.GrpcAddress);

        Assert.Equal(0, code);
        Assert.StartsWith($"{alert.Id} vigil-an1227-new-protocol MEDIUM on {mac.HostId}", lines[0]);
        Assert.Contains(lines, l => l.Contains("network.protocol: observed tcp/ssh/well-known; expected tcp/https/well-known ×12, udp/dns/well-known ×12", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AcceptTeachesTheProfileTheProtocolOfAnAlertAndShowPrintsTheVerdict()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        var (_, alert) = await SshAlertAsync(stack, baseline);

        var (noReasonCode, _) = await RunAsync("baseline", "accept", "--alert", alert.Id, "--yes", "--server", baseline.GrpcAddress);
        var (code, lines) = await RunAsync("baseline", "accept", "--alert", alert.Id, "--reason", "git over ssh to the vendor mirror", "--by", "ana", "--yes", "--server", baseline.GrpcAddress);
        var (_, show) = await RunAsync("baseline", "show", "com.example.sync", "--server", baseline.GrpcAddress);

        Assert.Equal(2, noReasonCode);
        Assert.Equal(0, code);
        Assert.Equal(["signing:TEAM123456/com.example.sync now knows tcp/ssh/well-known: no host alerts on it again."], lines);
        var protocol = show.FindIndex(l => l.TrimStart().StartsWith("tcp/ssh/well-known", StringComparison.Ordinal));
        Assert.Matches(@"^      accepted \d{4}-\d\d-\d\dT[\d:.]+Z by ana: git over ssh to the vendor mirror$", show[protocol + 1]);
    }

    [Fact]
    public async Task ASecondAcceptKeepsTheFirstAndShowAndExplainListEveryVerdict()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        var (_, alert) = await SshAlertAsync(stack, baseline);

        await RunAsync("baseline", "accept", "--alert", alert.Id, "--reason", "git over ssh to the vendor mirror", "--by", "ana", "--yes", "--server", baseline.GrpcAddress);
        var (code, accepted) = await RunAsync(
            "baseline", "accept", "signing:TEAM123456/com.example.sync", "tcp/ssh/well-known", "--reason", "confirmed with the vendor, ticket SEC-42", "--by", "bo", "--yes", "--server", baseline.GrpcAddress);
        var (_, show) = await RunAsync("baseline", "show", "com.example.sync", "--server", baseline.GrpcAddress);
        var (_, explain) = await RunAsync("baseline", "explain", alert.Id, "--server", baseline.GrpcAddress);

        Assert.Equal(0, code);
        Assert.Equal("signing:TEAM123456/com.example.sync already knew tcp/ssh/well-known; the verdict is recorded with it.", accepted[0]);
        Assert.Equal("  verdicts on tcp/ssh/well-known (2):", accepted[1]);
        var protocol = show.FindIndex(l => l.TrimStart().StartsWith("tcp/ssh/well-known", StringComparison.Ordinal));
        Assert.EndsWith("by ana: git over ssh to the vendor mirror", show[protocol + 1], StringComparison.Ordinal);
        Assert.EndsWith("by bo: confirmed with the vendor, ticket SEC-42", show[protocol + 2], StringComparison.Ordinal);
        var verdicts = explain.FindIndex(l => l == "  tcp/ssh/well-known accepted since (2 verdict(s)):");
        Assert.True(verdicts > 0, string.Join('\n', explain));
        Assert.EndsWith("by ana: git over ssh to the vendor mirror", explain[verdicts + 1], StringComparison.Ordinal);
        Assert.EndsWith("by bo: confirmed with the vendor, ticket SEC-42", explain[verdicts + 2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAcceptWithoutATerminalToConfirmOnChangesNothingUnlessToldYes()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        var (_, alert) = await SshAlertAsync(stack, baseline);

        var (code, lines, errors) = await RunWithErrorsAsync("baseline", "accept", "--alert", alert.Id, "--reason", "looks fine", "--server", baseline.GrpcAddress);
        var (_, show) = await RunAsync("baseline", "show", "com.example.sync", "--server", baseline.GrpcAddress);

        Assert.Equal(2, code);
        Assert.Empty(lines);
        var refusal = Assert.Single(errors);
        Assert.StartsWith("This accepts tcp/ssh/well-known as normal for signing:TEAM123456/com.example.sync on every host of the fleet", refusal, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was changed: standard input is not a terminal to confirm on; add --yes to accept.", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(show, l => l.Contains("tcp/ssh/well-known", StringComparison.Ordinal) || l.Contains("accepted", StringComparison.Ordinal));
    }

    /// <summary>Matures the sync agent's profile on one Mac, then has it use SSH: one new-protocol alert.</summary>
    private static async Task<(BaselineTelemetry Mac, Vigil.Contracts.Alerts.Alert Alert)> SshAlertAsync(BaselineStack stack, BaselineInstance baseline)
    {
        var mac = new BaselineTelemetry("mac-cli");
        var agent = SyncAgent("agent-1");
        await stack.PublishAsync(NormalTraffic.Connections(mac, agent, 12, Start, 30 * Second, new Random(4)));
        await stack.DrainAsync(baseline, mac.HostId);
        await stack.PublishAsync(mac.Connect(agent, Start + (10 * Minute), "ssh", 22, "198.51.100.4"));
        await stack.DrainAsync(baseline, mac.HostId);
        return (mac, Assert.Single(stack.Alerts.Alerts));
    }

    private static async Task<(int ExitCode, List<string> Lines)> RunAsync(params string[] arguments)
    {
        var (code, lines, _) = await RunWithErrorsAsync(arguments);
        return (code, lines);
    }

    private static async Task<(int ExitCode, List<string> Lines, string[] Errors)> RunWithErrorsAsync(params string[] arguments)
    {
        await using var vigil = ServiceProcess.Start(TestPaths.ServiceAssembly("Vigil.Cli", "vigil"), arguments);
        await Eventually.TrueAsync(() => vigil.HasExited, TimeSpan.FromSeconds(60), $"vigil {string.Join(' ', arguments)} exited");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        return (vigil.ExitCode, [.. vigil.Lines], vigil.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
