using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.UnitTests;

/// <summary>Elastic Defend macOS documents, 8.x nested and 7.x dotted, read into the telemetry contract.</summary>
public sealed class ElasticDocumentTests
{
    [Fact]
    public void An8xProcessExecIsReadCompletely()
    {
        var report = new EcsReadReport();

        var e = Fixture.Read("elastic-8x/process-exec.json", report);

        Assert.True(report.IsComplete, string.Join(", ", report.Unmapped.Concat(report.Overflow).Concat(report.Problems.Select(p => p.ToString()))));
        Assert.Equal(EcsTimestampOf("2026-11-03T14:21:07.512Z"), e.Timestamp);
        Assert.Equal(("process", "start", "exec"), (e.Event.Category.Single(), e.Event.Type.Single(), e.Event.Action));
        Assert.Equal(28811, e.Event.Sequence);
        Assert.Equal(EcsTimestampOf("2026-11-03T14:21:07.512Z"), e.Event.Created);
        Assert.Equal("501", e.User.Id);
        Assert.Equal("501", e.User.Ext.Real.Id);
        Assert.Equal(("20", "staff"), (e.Group.Id, e.Group.Name));
        Assert.Equal("staff", e.Group.Ext.Real.Name);
        Assert.Equal(3051, e.EffectiveProcess.Pid);
        Assert.Equal(("endpoint.events.process", "default", "logs"), (e.DataStream.Dataset, e.DataStream.Namespace, e.DataStream.Type));
        Assert.Equal("8.10.0", e.Ecs.Version);
        Assert.Equal("4f0c2a4e-8f3b-4d8a-9c51-2b7e1d6f0a11", e.Elastic.Agent.Id);
        Assert.Equal(2, e.Process.Ext.Ancestry.Count);
        Assert.False(e.Process.Ext.Trusted);
        Assert.True(e.Process.Ext.HasTrusted);
        Assert.Equal(5, e.Process.ArgsCount);
        Assert.True(e.Process.HasExitCode);
        Assert.Equal(0, e.Process.ExitCode);
        Assert.Equal("", e.Process.CodeSignature.TeamId);
        Assert.True(e.Process.Parent.CodeSignature.Trusted);
        Assert.Equal(2, e.Process.Parent.ArgsCount);
        Assert.Equal("Terminal", e.Process.Ext.EffectiveParent.Name);
        Assert.Equal(["3C-22-FB-11-22-33"], e.Host.Mac);
        Assert.Equal(("macos", "macOS 15.1", "24.1.0", "macOS"), (e.Host.Os.Family, e.Host.Os.Full, e.Host.Os.Kernel, e.Host.Os.Ext.Variant));
        Assert.Equal("Endpoint process event", e.Message);
    }

    [Fact]
    public void ARenameKeepsTheNestedOriginalPath()
    {
        var e = Fixture.Read("elastic-8x/file-rename.json");

        Assert.Equal("/tmp/.u.part", e.File.Ext.Original.Path);
        Assert.Equal("part", e.File.Ext.Original.Extension);
        Assert.Equal("48811923", e.File.Inode);
        Assert.True(e.File.HasSize);
        Assert.Equal(0, e.File.Size);
        Assert.Equal("20", e.Group.Id);
        Assert.Equal("curl", e.EffectiveProcess.Name);
    }

    [Fact]
    public void AQuarantineRemovalByAnUntrustedProcessKeepsTrustedFalse()
    {
        var e = Fixture.Read("elastic-8x/extended-attributes-delete.json");

        Assert.Equal("extended_attributes_delete", e.Event.Action);
        Assert.Equal(["com.apple.quarantine"], e.File.Attributes);
        Assert.True(e.Process.CodeSignature.HasTrusted);
        Assert.False(e.Process.CodeSignature.Trusted);
        Assert.True(e.Process.CodeSignature.Exists);
    }

    [Fact]
    public void ALaunchDaemonEventCarriesThePersistenceFields()
    {
        var e = Fixture.Read("elastic-8x/launch-daemon.json");

        Assert.Equal("com.apple.updater.agent", e.Persistence.Name);
        Assert.Equal("/Users/ana/Library/LaunchAgents/com.apple.updater.agent.plist", e.Persistence.Path);
        Assert.Equal(["/Users/Shared/.updater", "--daemon"], e.Persistence.Args);
        Assert.True(e.Persistence.Runatload);
        Assert.True(e.Persistence.HasKeepalive);
        Assert.False(e.Persistence.Keepalive);
        Assert.False(e.Process.CodeSignature.Exists);
        Assert.False(e.Process.CodeSignature.HasTrusted);
    }

    [Fact]
    public void ATccChangeCarriesTheTccFieldsAndTheEffectiveProcess()
    {
        var report = new EcsReadReport();

        var e = Fixture.Read("elastic-8x/tcc-modify.json", report);

        Assert.Empty(report.Problems);
        Assert.Equal(("SystemPolicyDocumentsFolder", "allowed", "create", "user_consent", "/usr/bin/osascript"),
            (e.Tcc.Service, e.Tcc.Right, e.Tcc.UpdateType, e.Tcc.Reason, e.Tcc.Identity));
        Assert.Equal("osascript", e.EffectiveProcess.Name);
        Assert.True(e.EffectiveProcess.CodeSignature.Trusted);
        Assert.Equal("100017", e.Target.Process.Ext.AuthenticationId);
        Assert.Equal("Interactive", e.Process.Ext.SessionInfo.LogonType);
        // process.Ext.code_signature arrives as a one-element array of objects.
        Assert.True(e.Process.Ext.CodeSignature.Trusted);
        Assert.Equal("ana", e.User.Effective.Name);
    }

    [Fact]
    public void AGatekeeperOverrideNamesTheOverriddenFile()
    {
        var e = Fixture.Read("elastic-8x/gatekeeper-override.json");

        Assert.Equal(["configuration"], e.Event.Category);
        Assert.Equal("/Users/ana/Downloads/Installer.app", e.File.Path);
        Assert.Equal("Z9Y8X7W6V5", e.File.CodeSignature.TeamId);
        Assert.False(e.Process.HasPid);
    }

    [Fact]
    public void ADnsLookupResultCarriesTheQuestionAndResolvedAddresses()
    {
        var e = Fixture.Read("elastic-8x/dns-lookup-result.json");

        Assert.Equal(("api.ipify.org", "A"), (e.Dns.Question.Name, e.Dns.Question.Type));
        Assert.Equal(["104.26.12.205", "172.67.74.152"], e.Dns.ResolvedIp);
        Assert.True(e.Dns.Ext.HasStatus);
        Assert.Equal(0, e.Dns.Ext.Status);
        Assert.Equal(53, e.Destination.Port);
    }

    [Fact]
    public void AGroupMembershipChangeNamesTheGroupAndTheMember()
    {
        var e = Fixture.Read("elastic-8x/od-group-add.json");

        Assert.Equal(("od_group_add", "admin", "80", "svc-helper"), (e.Event.Action, e.Group.Name, e.Group.Id, e.User.Name));
    }

    [Fact]
    public void ZeroBytesReceivedIsAValueNotAnAbsence()
    {
        var e = Fixture.Read("elastic-8x/network-disconnect.json");

        Assert.True(e.Destination.HasBytes);
        Assert.Equal(0, e.Destination.Bytes);
        Assert.Equal(517, e.Source.Bytes);
        Assert.False(e.Network.HasBytes);
    }

    [Fact]
    public void A7xDottedDocumentWithNumbersAsTextIsRead()
    {
        var report = new EcsReadReport();

        var e = Fixture.Read("elastic-7x/process-exec.json", report);

        Assert.Empty(report.Problems);
        Assert.Equal(["process"], e.Event.Category);
        Assert.Equal(["start"], e.Event.Type);
        Assert.Equal(10442, e.Event.Sequence);
        Assert.Equal(3, e.Process.ArgsCount);
        Assert.Equal(0, e.Process.ExitCode);
        Assert.True(e.Process.HasExitCode);
        Assert.False(e.Process.CodeSignature.Trusted);
        Assert.True(e.Process.CodeSignature.HasTrusted);
        Assert.True(e.Process.CodeSignature.Exists);
        Assert.Equal(777, e.Process.Pid);
        Assert.Equal(770, e.Process.Parent.Pid);
        Assert.Equal("0", e.User.Id);
        Assert.False(e.Process.Ext.CodeSignature.Trusted);
        Assert.Equal("", e.Host.Id);
        Assert.Equal("a1b2c3d4-0000-4000-8000-000000000001", e.Agent.Id);
    }

    [Fact]
    public void A7xDocumentWithEpochMillisecondsAndAnUnknownObjectKeepsTheUnknownFields()
    {
        var report = new EcsReadReport();

        var e = Fixture.Read("elastic-7x/file-create.json", report);

        Assert.Equal(1_623_663_002_123_000_000, e.Timestamp);
        Assert.Equal(112, e.File.Size);
        Assert.Equal("777", e.Process.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["Endpoint.policy.applied.id", "Endpoint.policy.applied.status"], report.Unmapped);
        Assert.Equal("\"success\"", e.Unmapped["Endpoint.policy.applied.status"]);
    }

    private static long EcsTimestampOf(string text) => EcsTimestamp.TryParse(text, out var nanos) ? nanos : throw new FormatException(text);
}
