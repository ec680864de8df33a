using StackExchange.Redis;
using Grpc.Core;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Baseline;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>An analyst's verdict that a new protocol is normal for an image, through the gRPC API and the running consumer.</summary>
public sealed class AcceptedProtocolTests(RedisServer redis)
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AnAcceptedProtocolAlertsOnNoOtherHostAndTrainsTheProfileFromThenOn(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var first = new BaselineTelemetry("mac-accept-1");
        var second = new BaselineTelemetry("mac-accept-2");
        var agent = SyncAgent("agent-1");
        await stack.PublishAsync(NormalTraffic.Connections(first, agent, 15, Start, 30 * Second, new Random(5)));
        await stack.DrainAsync(baseline, first.HostId);
        await stack.PublishAsync(first.Connect(agent, Start + (10 * Minute), "quic", 443, "198.51.100.9"));
        await stack.DrainAsync(baseline, first.HostId);
        var alert = Assert.Single(stack.Alerts.Alerts);

        var accepted = await baseline.Client.AcceptProtocolAsync(
            new AcceptProtocolRequest { AlertId = alert.Id, Reason = "Sync 4.2 moved uploads to QUIC (CHG-1182)", AcceptedBy = "ana" },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(accepted.NewlyLearned);
        Assert.Equal("tcp/quic/well-known", accepted.Signature);
        var use = Assert.Single(accepted.Profile.Protocols, p => p.Signature == "tcp/quic/well-known");
        Assert.Equal(0, use.Count);
        Assert.Equal("Sync 4.2 moved uploads to QUIC (CHG-1182)", use.AcceptedReason);
        Assert.Equal("ana", use.AcceptedBy);
        Assert.NotEqual(0, use.AcceptedAt);
        Assert.Equal("signing:TEAM123456/com.example.sync", Assert.Single(await baseline.ListAsync(ProfileFilter.RecentlyChanged, 1)).Image);

        // Another host doing the same no longer alerts, and its traffic now teaches the profile.
        await stack.PublishAsync(second.Connect(agent, Start + (11 * Minute), "quic", 443, "198.51.100.9"));
        await stack.DrainAsync(baseline, second.HostId);
        Assert.Single(stack.Alerts.Alerts);
        var profile = await baseline.ProfileAsync("com.example.sync");
        Assert.Equal(1, Assert.Single(profile.Protocols, p => p.Signature == "tcp/quic/well-known").Count);

        // Accepting what the profile knows records the verdict and changes no count.
        var again = await baseline.Client.AcceptProtocolAsync(
            new AcceptProtocolRequest { Image = "com.example.sync", Signature = "TCP/QUIC/well-known", Reason = "confirmed with the vendor" },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(again.NewlyLearned);
        var confirmed = Assert.Single(again.Profile.Protocols, p => p.Signature == "tcp/quic/well-known");
        Assert.Equal(1, confirmed.Count);
        Assert.Equal("confirmed with the vendor", confirmed.AcceptedReason);
    }

    [Fact]
    public async Task AcceptingNeedsAReasonAValidSignatureAKnownImageAndANewProtocolAlert()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        var mac = new BaselineTelemetry("mac-accept-bad");
        await stack.PublishAsync(NormalTraffic.Connections(mac, SyncAgent("agent-1"), 3, Start, 30 * Second, new Random(6)));
        await stack.DrainAsync(baseline, mac.HostId);

        async Task<RpcException> Refused(AcceptProtocolRequest request) =>
            await Assert.ThrowsAsync<RpcException>(async () => await baseline.Client.AcceptProtocolAsync(request, cancellationToken: TestContext.Current.CancellationToken));

        var noReason = await Refused(new AcceptProtocolRequest { Image = "com.example.sync", Signature = "tcp/ftp/well-known", Reason = " " });
        var badSignature = await Refused(new AcceptProtocolRequest { Image = "com.example.sync", Signature = "ftp", Reason = "r" });
        var unknownImage = await Refused(new AcceptProtocolRequest { Image = "com.example.none", Signature = "tcp/ftp/well-known", Reason = "r" });
        var unknownAlert = await Refused(new AcceptProtocolRequest { AlertId = "no-such-alert", Reason = "r" });
        var both = await Refused(new AcceptProtocolRequest { AlertId = "a", Image = "com.example.sync", Signature = "tcp/ftp/well-known", Reason = "r" });

        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badSignature.StatusCode);
        Assert.Contains("transport/protocol/port-class", badSignature.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknownImage.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknownAlert.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);
        Assert.DoesNotContain((await baseline.ProfileAsync("com.example.sync")).Protocols, p => p.Protocol == "ftp");
    }
}
