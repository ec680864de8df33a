using Vigil.Contracts.Telemetry;
using Vigil.Detection.UnitTests.Support;

namespace Vigil.Detection.UnitTests;

/// <summary>
/// The installer-network pack (seed 004) on the exact timelines of two bugs seen with the simulator: an allow-listed
/// MDM curl between an installer's shell and the malicious curl, and two separate attacks on one host and user
/// inside what used to be the rule's suppression window.
/// </summary>
public sealed class InstallerTimelineTests
{
    private static readonly DateTimeOffset Start = new(2025, 11, 20, 14, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string> MdmCurls { get; } = new()
    {
        { "Kandji", "acme.kandji.io" },
        { "Jamf", "acme.jamfcloud.com" },
    };

    [Theory]
    [MemberData(nameof(MdmCurls))]
    public void AnExceptedMdmCurlDoesNotConsumeTheInstallerShellSoTheMaliciousCurlAlerts(string vendor, string domain)
    {
        var events = new[]
        {
            Shell("shell", at: 0),
            Curl("mdm-curl", at: 6, domain, $"{vendor.ToLowerInvariant()}-curl"),
            Curl("evil-curl", at: 17, "cdn-updates.example", "evil-curl"),
        };

        var (alerts, counts) = RulePacks.Run(RulePacks.Of("installer-network").Rules, events);

        var alert = Assert.Single(alerts);
        Assert.Equal(["shell", "evil-curl"], alert.EvidenceIds());
        Assert.Equal(1, counts.ExceptedEvents);
    }

    [Fact]
    public void TheMdmCurlAloneRaisesNothing()
    {
        var (alerts, counts) = RulePacks.Run(RulePacks.Of("installer-network").Rules, [Shell("shell", at: 0), Curl("mdm-curl", at: 6, "acme.kandji.io", "k")]);

        Assert.Empty(alerts);
        Assert.Equal((0, 1), (counts.Matches, counts.ExceptedEvents));
    }

    [Fact]
    public void TwoSeparateAttacksOnOneHostAndUserInsideTheOldSuppressionWindowBothAlert()
    {
        // Both run as root on the same Mac, two minutes apart: the old ten-minute window by host and user hid the second.
        var events = new[]
        {
            Shell("shell-1", at: 0), Curl("curl-1", at: 3, "cdn-updates.example", "c1"),
            Shell("shell-2", at: 120), Curl("curl-2", at: 124, "payload-drop.example", "c2"),
        };

        var alerts = RulePacks.Detect(RulePacks.Of("installer-network").Rules, events);

        Assert.Equal([["shell-1", "curl-1"], ["shell-2", "curl-2"]], alerts.Select(a => a.EvidenceIds()));
    }

    private static TelemetryEvent Shell(string id, int at) => Event(id, at, "process", "exec", new Process
    {
        EntityId = $"{id}-bash",
        Pid = 4242,
        Name = "bash",
        Executable = "/bin/bash",
        Args = { "/bin/bash", "/tmp/PKInstallSandbox.x/Scripts/com.example.pkg/postinstall" },
        ArgsCount = 2,
        Parent = new Process { EntityId = $"{id}-installer", Name = "installer", Executable = "/usr/sbin/installer" },
    });

    private static TelemetryEvent Curl(string id, int at, string domain, string entityId)
    {
        var e = Event(id, at, "network", "connection_attempted", new Process
        {
            EntityId = entityId,
            Name = "curl",
            Executable = "/usr/bin/curl",
            Parent = new Process { Name = "bash", Executable = "/bin/bash" },
        });
        e.Destination = new Endpoint { Domain = domain, Ip = "203.0.113.7", Port = 443 };
        return e;
    }

    private static TelemetryEvent Event(string id, int at, string category, string action, Process process) => new()
    {
        Timestamp = Start.AddSeconds(at).ToUnixTimeMilliseconds() * 1_000_000,
        Event = new Event { Id = id, Category = { category }, Type = { "start" }, Action = action, Kind = "event" },
        Host = new Host { Id = "mac-42", Name = "mac-42", Os = new Os { Type = "macos" } },
        User = new User { Id = "0", Name = "root" },
        Process = process,
    };
}
