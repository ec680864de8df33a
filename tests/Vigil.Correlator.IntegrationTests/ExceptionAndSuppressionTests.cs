using StackExchange.Redis;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>
/// Exceptions and alert suppression on the real stack, on the timelines of two bugs: an allow-listed MDM curl between
/// an installer's shell and the malicious curl, and two separate attacks on one host and user minutes apart.
/// </summary>
public sealed class ExceptionAndSuppressionTests : RealStackTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Theory]
    [InlineData("acme.kandji.io")]
    [InlineData("acme.jamfcloud.com")]
    public async Task AnExceptedMdmCurlDoesNotConsumeThePendingSequenceSoTheMaliciousCurlAlerts(string mdmDomain)
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "mdm-" + mdmDomain.Split('.')[1]);
        await harness.StartCorrelatorAsync();

        // The installer's shell, the MDM agent's allow-listed curl (root, its own cloud) 6 s later, the malicious curl 11 s after that.
        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-9", InstallerEvents.T0, "shell"),
            InstallerEvents.CurlConnection("mac-9", InstallerEvents.T0 + InstallerEvents.Seconds(6), "mdm-curl", domain: mdmDomain),
            InstallerEvents.CurlConnection("mac-9", InstallerEvents.T0 + InstallerEvents.Seconds(17), "evil-curl", domain: "cdn-updates.example"));

        var alert = Assert.Single(harness.Alerts(1, Patience));
        Assert.Equal(["shell", "evil-curl"], alert.Evidence.Select(e => e.Event.Event.Id));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task TwoSeparateAttacksOnOneHostAndUserMinutesApartBothAlertWhicheverProtocolTheCorrelatorSpeaksToRedis(RedisProtocol protocol)
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, $"two-attacks-{protocol}", protocol);
        await harness.AssertSpeaksItsProtocolAsync(await harness.StartCorrelatorAsync());

        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-5", InstallerEvents.T0, "shell-1"),
            InstallerEvents.CurlConnection("mac-5", InstallerEvents.T0 + InstallerEvents.Seconds(3), "curl-1"));
        Assert.Single(harness.Alerts(1, Patience));
        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-5", InstallerEvents.T0 + InstallerEvents.Seconds(120), "shell-2"),
            InstallerEvents.CurlConnection("mac-5", InstallerEvents.T0 + InstallerEvents.Seconds(124), "curl-2", domain: "payload-drop.example"));

        var alerts = harness.Alerts(2, Patience);
        Assert.Equal([["shell-1", "curl-1"], ["shell-2", "curl-2"]], alerts.Select(a => a.Evidence.Select(e => e.Event.Event.Id).ToArray()));
        Assert.All(alerts, a => Assert.Equal(("mac-5", "root"), (a.Host.Id, a.User.Name)));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ARuleThatAsksForSuppressionPublishesOneAlertPerGroupAndCountsTheRestInRedisWhicheverProtocolTheCorrelatorSpeaks(RedisProtocol protocol)
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, $"suppression-{protocol}", protocol);
        await harness.AssertSpeaksItsProtocolAsync(await harness.StartCorrelatorAsync(rules: CorrelatorHarness.SuppressionRulesFolder));

        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-1", InstallerEvents.T0, "a1"),
            InstallerEvents.ShellFromInstaller("mac-2", InstallerEvents.T0 + InstallerEvents.Seconds(1), "b1"));
        Assert.Equal(2, harness.Alerts(2, Patience).Count);
        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-1", InstallerEvents.T0 + InstallerEvents.Seconds(30), "a2"),
            InstallerEvents.ShellFromInstaller("mac-1", InstallerEvents.T0 + InstallerEvents.Seconds(60), "a3"),
            InstallerEvents.FinderOpensAFile("mac-1", InstallerEvents.T0 + InstallerEvents.Seconds(70), "later"));
        await harness.Topics.WaitUntilCommittedAsync(harness.Topics.Manifest.ConsumerGroups.Single(g => g.Service == "correlator").Name, Patience);

        var alerts = harness.Alerts(3, TimeSpan.FromSeconds(3));
        Assert.Equal(["a1", "b1"], alerts.Select(a => a.Evidence[0].Event.Event.Id).Order());
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Redis.Endpoint);
        var window = connection.GetServer(Redis.Endpoint).Keys(pattern: "vigil:{mac-1}:suppress:*").Single();
        Assert.Equal(2, (long)await connection.GetDatabase().HashGetAsync(window, "docs_count"));
        Assert.Equal(alerts.Single(a => a.Host.Id == "mac-1").Id, (string?)await connection.GetDatabase().HashGetAsync(window, "alert"));
        Assert.InRange((await connection.GetDatabase().KeyTimeToLiveAsync(window))!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }
}
