using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Contracts;
using Vigil.Contracts.Telemetry;

namespace Vigil.Adapters;

/// <summary>
/// Apple Endpoint Security messages as <c>eslogger</c> prints them (one <c>es_message_t</c> JSON object a line) to
/// canonical events named as Elastic Defend names the same behaviour on macOS. Keeps a bounded per-host process table
/// (<see cref="EsloggerProcessTable"/>) because ES sends a process's arguments only with its exec, and names
/// processes by audit token (pid + pidversion), from which <see cref="EsloggerEntityIds"/> derives entity ids.
/// A record may hold several lines; each is one document.
/// </summary>
public sealed class EsloggerAdapter : ITelemetryAdapter
{
    /// <summary>The format name in deploy/topics.json and <c>vigil backtest --format</c>.</summary>
    public const string FormatName = "eslogger";

    private const string QuarantineAttribute = "com.apple.quarantine";
    private const string TccServicePrefix = "kTCCService";

    // codesigning_flags bits (xnu osfmk/kern/cs_blobs.h).
    private const long CsValid = 0x1;
    private const long CsAdhoc = 0x2;
    private const long CsSigned = 0x20000000;
    private const long CsPlatformBinary = 0x4000000;

    // mmap protection bit of an executable mapping (sys/mman.h PROT_EXEC).
    private const long ProtExec = 0x4;

    private static readonly HashSet<string> MessageMembers =
    [
        "schema_version", "version", "time", "mach_time", "deadline", "seq_num", "global_seq_num", "event_type",
        "action_type", "action", "process", "thread", "event",
    ];

    private readonly EsloggerAdapterOptions options;

    public EsloggerAdapter(EsloggerAdapterOptions? options = null)
    {
        this.options = options ?? new EsloggerAdapterOptions();
        Processes = new EsloggerProcessTable(this.options.ProcessesPerHost, this.options.MaxHosts);
    }

    public string Format => FormatName;

    /// <summary>The processes remembered so far (exposed for eviction metrics).</summary>
    public EsloggerProcessTable Processes { get; }

    public AdaptResult Adapt(RawRecord record)
    {
        var result = new AdaptResult();
        var keyed = !string.IsNullOrWhiteSpace(record.Key);
        var hostId = keyed ? record.Key : this.options.HostId;
        var span = record.Value.Span;
        var index = 0;
        while (!span.IsEmpty)
        {
            var newline = span.IndexOf((byte)'\n');
            var line = newline < 0 ? span : span[..newline];
            span = newline < 0 ? [] : span[(newline + 1)..];
            if (IsBlank(line))
            {
                continue;
            }

            var before = result.Events.Count;
            var rejected = result.Rejections.Count;
            AdaptLine(line, hostId, index++, result);
            if (!keyed && result.Events.Count > before)
            {
                result.CountDerived("host.id from configuration");
            }

            // A record of several lines dead-letters each bad line on its own.
            for (var i = rejected; i < result.Rejections.Count; i++)
            {
                result.Rejections[i] = result.Rejections[i] with { Document = line.ToArray() };
            }
        }

        return result;
    }

    private void AdaptLine(ReadOnlySpan<byte> line, string? hostId, int index, AdaptResult result)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException e)
        {
            result.Rejections.Add(new AdaptRejection(RejectionReason.Malformed, $"not JSON: {e.Message}", index));
            return;
        }

        using (document)
        {
            var message = document.RootElement;
            if (message.ValueKind != JsonValueKind.Object
                || EsloggerJson.Long(message, "event_type") is not { } eventType
                || !EsloggerJson.TryObject(message, "event", out var payload))
            {
                result.Rejections.Add(new AdaptRejection(RejectionReason.NotADocument, "not an es_message_t: expected an object with event_type and event", index));
                return;
            }

            if (EsloggerJson.String(message, "time") is not { } timeText || !EcsTimestamp.TryParse(timeText, out var timestamp))
            {
                result.Rejections.Add(new AdaptRejection(RejectionReason.MissingTimestamp, "no ISO-8601 'time'", index));
                return;
            }

            if (string.IsNullOrWhiteSpace(hostId))
            {
                result.Rejections.Add(new AdaptRejection(RejectionReason.MissingHost,
                    "eslogger messages name no host: key the record by host id or configure a host id", index));
                return;
            }

            if (!EsloggerJson.TryObject(message, "process", out var process) || AuditToken(process) is null)
            {
                result.Rejections.Add(new AdaptRejection(RejectionReason.InvalidValue, "no process with an audit_token", index));
                return;
            }

            foreach (var member in message.EnumerateObject())
            {
                if (!MessageMembers.Contains(member.Name))
                {
                    result.CountUnmapped(member.Name);
                }
            }

            var context = new MessageContext(hostId, timestamp, message, process);
            var outcome = Map((EsloggerEventType)eventType, payload, context);
            switch (outcome)
            {
                case TelemetryEvent e:
                    result.Events.Add(e);
                    break;
                case AdaptRejection rejection:
                    result.Rejections.Add(rejection with { DocumentIndex = index });
                    break;
            }
        }
    }

    /// <summary>The event, a rejection, or null for a message that is no event in Elastic's terms (a close without writes).</summary>
    private object? Map(EsloggerEventType type, JsonElement payload, MessageContext c)
    {
        var name = EventName(payload);
        if (!EsloggerJson.TryObject(payload, name ?? "", out var body))
        {
            return Invalid($"event_type {(int)type} has no event object");
        }

        switch (type)
        {
            case EsloggerEventType.Exec:
                return Exec(body, c);
            case EsloggerEventType.Fork:
                return Fork(body, c);
            case EsloggerEventType.Exit:
                return Exit(body, c);
            case EsloggerEventType.Create:
                return CreatePath(body) is { } created ? FileEvent(c, EsloggerEventKind.FileCreation, created) : Invalid("create without a destination path");
            case EsloggerEventType.Write:
                return EsloggerJson.FilePath(body, "target") is { } written ? FileEvent(c, EsloggerEventKind.FileModification, written) : Invalid("write without a target");
            case EsloggerEventType.Close:
                if (EsloggerJson.FilePath(body, "target") is not { } closed)
                {
                    return Invalid("close without a target");
                }

                // Only a close after writes is a modification; a read-only close is no event in Elastic's terms.
                return EsloggerJson.Bool(body, "modified") == true ? FileEvent(c, EsloggerEventKind.FileModification, closed) : null;
            case EsloggerEventType.Open:
                return EsloggerJson.FilePath(body, "file") is { } opened ? FileEvent(c, EsloggerEventKind.FileOpen, opened) : Invalid("open without a file");
            case EsloggerEventType.Unlink:
                return EsloggerJson.FilePath(body, "target") is { } deleted ? FileEvent(c, EsloggerEventKind.FileDeletion, deleted) : Invalid("unlink without a target");
            case EsloggerEventType.Rename:
                return Rename(body, c);
            case EsloggerEventType.DeleteExtAttr:
                return ExtendedAttributeDeleted(body, c);
            case EsloggerEventType.SetExtAttr:
                // Elastic Defend has no event for setting an attribute (only for removing the quarantine one).
                return null;
            case EsloggerEventType.Mmap:
                return Mapped(body, c);
            case EsloggerEventType.BtmLaunchItemAdd:
                return LaunchItemAdded(body, c);
            case EsloggerEventType.GatekeeperUserOverride:
                return GatekeeperOverride(body, c);
            case EsloggerEventType.OdGroupAdd:
                return GroupMembership(body, c, EsloggerEventKind.GroupMemberAdded);
            case EsloggerEventType.OdGroupRemove:
                return GroupMembership(body, c, EsloggerEventKind.GroupMemberRemoved);
            case EsloggerEventType.TccModify:
                return TccModified(body, c);
            default:
                return new AdaptRejection(RejectionReason.UnsupportedEvent, $"event_type {(int)type} ({name}) is not mapped to an Elastic Defend event");
        }
    }

    private object Exec(JsonElement body, MessageContext c)
    {
        if (!EsloggerJson.TryObject(body, "target", out var target) || AuditToken(target) is not { } token)
        {
            return Invalid("exec without a target process");
        }

        var args = EsloggerJson.Strings(body, "args") ?? [];
        var cwd = EsloggerJson.FilePath(body, "cwd") ?? "";
        var executable = EsloggerJson.FilePath(target, "executable") ?? "";
        var (parentPid, parentVersion) = ParentToken(target);
        var parent = parentVersion is { } v ? Processes.Find(c.HostId, parentPid, v) : Processes.FindLatest(c.HostId, parentPid);
        var facts = new EsloggerProcessFacts(
            EsloggerEntityIds.For(c.HostId, token.Pid, token.PidVersion), token.Pid, token.PidVersion, executable, args, cwd,
            StartTime(target) ?? c.Timestamp,
            parentVersion is { } pv ? EsloggerEntityIds.For(c.HostId, parentPid, pv) : parent?.EntityId,
            parentPid, CodeSignatureOf(target));
        Processes.Remember(c.HostId, facts);

        var e = NewEvent(c, EsloggerEventKind.ProcessExec, target);
        e.Process.Start = facts.Start;
        var env = EsloggerJson.Strings(body, "env");
        if (env is { Count: > 0 })
        {
            e.Process.EnvVars.AddRange(env);
        }

        return e;
    }

    private object Fork(JsonElement body, MessageContext c)
    {
        if (!EsloggerJson.TryObject(body, "child", out var child) || AuditToken(child) is not { } token)
        {
            return Invalid("fork without a child process");
        }

        // A forked child runs its parent's image with its parent's arguments until it execs.
        var forker = AuditToken(c.Process)!.Value;
        var parent = Processes.Find(c.HostId, forker.Pid, forker.PidVersion);
        Processes.Remember(c.HostId, new EsloggerProcessFacts(
            EsloggerEntityIds.For(c.HostId, token.Pid, token.PidVersion), token.Pid, token.PidVersion,
            EsloggerJson.FilePath(child, "executable") ?? parent?.Executable ?? "", parent?.Args ?? [], parent?.WorkingDirectory ?? "",
            StartTime(child) ?? c.Timestamp, EsloggerEntityIds.For(c.HostId, forker.Pid, forker.PidVersion), forker.Pid, CodeSignatureOf(child)));

        var e = NewEvent(c, EsloggerEventKind.ProcessFork, child);
        e.Process.Start = StartTime(child) ?? c.Timestamp;
        return e;
    }

    private object Exit(JsonElement body, MessageContext c)
    {
        var e = NewEvent(c, EsloggerEventKind.ProcessEnd, c.Process);
        if (EsloggerJson.Long(body, "stat") is { } stat && (stat & 0x7f) == 0)
        {
            // stat is a wait(2) status word: WEXITSTATUS for a normal exit. A process killed by a signal has no exit
            // code, so exit_code stays absent rather than reading as 0 (success).
            e.Process.ExitCode = (stat >> 8) & 0xff;
        }

        return e;
    }

    private object Rename(JsonElement body, MessageContext c)
    {
        var source = EsloggerJson.FilePath(body, "source");
        var destination = DestinationPath(body);
        if (source is null || destination is null)
        {
            return Invalid("rename without a source and a destination");
        }

        var e = FileEvent(c, EsloggerEventKind.FileRename, destination);
        var original = FileOf(source);
        e.File.Ext = new FileExt
        {
            Original = new FileOriginal { Path = original.Path, Name = original.Name, Extension = original.Extension, Directory = original.Directory },
        };
        return e;
    }

    private object? ExtendedAttributeDeleted(JsonElement body, MessageContext c)
    {
        if (EsloggerJson.FilePath(body, "target") is not { } target)
        {
            return Invalid("deleteextattr without a target");
        }

        // Elastic Defend reports the removal of the quarantine attribute only; other attributes are no event there.
        return EsloggerJson.String(body, "extattr") == QuarantineAttribute ? FileEvent(c, EsloggerEventKind.QuarantineRemoved, target) : null;
    }

    private object? Mapped(JsonElement body, MessageContext c)
    {
        if (EsloggerJson.FilePath(body, "source") is not { } source)
        {
            return Invalid("mmap without a source file");
        }

        // Executable mappings are image loads; data mappings are no event.
        if (((EsloggerJson.Long(body, "protection") ?? 0) & ProtExec) == 0)
        {
            return null;
        }

        var e = NewEvent(c, EsloggerEventKind.LibraryLoad, c.Process);
        e.Dll = new Dll { Path = source, Name = Path.GetFileName(source) };
        return e;
    }

    private object LaunchItemAdded(JsonElement body, MessageContext c)
    {
        if (!EsloggerJson.TryObject(body, "item", out var item) || EsloggerJson.String(item, "item_url") is not { } itemUrl)
        {
            return Invalid("btm_launch_item_add without an item");
        }

        // The process that asked for the item (an XPC caller of backgroundtaskmanagementd) is the actor when known.
        var actor = EsloggerJson.TryObject(body, "instigator", out var instigator) && AuditToken(instigator) is not null ? instigator : c.Process;
        var plist = FileUrlPath(itemUrl, EsloggerJson.String(item, "app_url"));
        var e = NewEvent(c, EsloggerEventKind.LaunchItem, actor);
        e.File = FileOf(plist);

        // ES reports the item, not the plist's contents: the Label is the plist's name by launchd convention, the
        // program is executable_path; RunAtLoad and KeepAlive are unknown here, so they stay absent (not false).
        e.Persistence = new Persistence { Name = Path.GetFileNameWithoutExtension(plist), Path = plist };
        if (EsloggerJson.String(body, "executable_path") is { Length: > 0 } program)
        {
            e.Persistence.Args.Add(FileUrlPath(program, EsloggerJson.String(item, "app_url")));
        }

        return e;
    }

    private object GatekeeperOverride(JsonElement body, MessageContext c)
    {
        string? path = null;
        if (body.TryGetProperty("file", out var file))
        {
            path = file.ValueKind == JsonValueKind.Object
                ? EsloggerJson.FilePath(file, "file") ?? EsloggerJson.String(file, "file_path") ?? EsloggerJson.String(file, "path")
                : EsloggerJson.AsString(file);
        }

        if (path is null)
        {
            return Invalid("gatekeeper_user_override without a file");
        }

        var e = NewEvent(c, EsloggerEventKind.GatekeeperOverride, c.Process);
        e.File = FileOf(path);
        if (EsloggerJson.String(body, "sha256") is { Length: > 0 } sha256)
        {
            e.File.Hash = new Hash { Sha256 = sha256.ToLowerInvariant() };
        }

        if (EsloggerJson.TryObject(body, "signing_info", out var signing))
        {
            var teamId = EsloggerJson.String(signing, "team_id");
            e.File.CodeSignature = new CodeSignature
            {
                SigningId = EsloggerJson.String(signing, "signing_id") ?? "",
                TeamId = teamId ?? "",
            };
        }

        return e;
    }

    private object GroupMembership(JsonElement body, MessageContext c, EsloggerEventKind kind)
    {
        var group = EsloggerJson.String(body, "group_name");
        if (group is null || !EsloggerJson.TryObject(body, "member", out var member))
        {
            return Invalid("group membership change without a group and a member");
        }

        var actor = EsloggerJson.TryObject(body, "instigator", out var instigator) && AuditToken(instigator) is not null ? instigator : c.Process;
        var e = NewEvent(c, kind, actor);
        var memberName = EsloggerJson.TryObject(member, "member_value", out var value)
            ? EsloggerJson.String(value, "name") ?? EsloggerJson.String(value, "uuid")
            : null;

        // The member, not the instigator, is the user the event is about; group.* is the group changed.
        e.User = new User { Name = memberName ?? "" };
        e.Group = new Group { Name = group };
        return e;
    }

    private object TccModified(JsonElement body, MessageContext c)
    {
        var service = EsloggerJson.String(body, "service");
        if (service is null)
        {
            return Invalid("tcc_modify without a service");
        }

        var actor = EsloggerJson.TryObject(body, "instigator", out var instigator) && AuditToken(instigator) is not null ? instigator : c.Process;
        var e = NewEvent(c, EsloggerEventKind.TccModify, actor);
        e.Tcc = new Tcc
        {
            // Elastic names services without TCC's "kTCCService" prefix (SystemPolicyDocumentsFolder).
            Service = service.StartsWith(TccServicePrefix, StringComparison.Ordinal) ? service[TccServicePrefix.Length..] : service,
            Identity = EsloggerJson.String(body, "identity") ?? "",
            IdentityType = Named(EsloggerJson.Long(body, "identity_type"), TccIdentityTypes),
            UpdateType = Named(EsloggerJson.Long(body, "update_type"), TccUpdateTypes),
            Right = Named(EsloggerJson.Long(body, "right"), TccRights),
            Reason = Named(EsloggerJson.Long(body, "reason"), TccReasons),
        };

        // The process that asked for the change (the TCC client, e.g. osascript) is the effective process; tccd only
        // carries it out.
        var responsible = EsloggerJson.TryObject(body, "responsible", out var r) && AuditToken(r) is not null ? r : actor;
        e.EffectiveProcess = ProcessOf(c.HostId, responsible);
        return e;
    }

    // es_tcc_* enums (EndpointSecurity/ESTypes.h), lower-cased without their prefix as Elastic writes them.
    private static readonly string[] TccIdentityTypes = ["bundle_id", "executable_path", "policy_id", "file_provider_domain_id"];
    private static readonly string[] TccUpdateTypes = ["unknown", "create", "modify", "delete"];
    private static readonly string[] TccRights = ["denied", "unknown", "allowed", "limited", "add_modify_added", "session_pid", "learn_more"];
    private static readonly string[] TccReasons =
    [
        "none", "error", "user_consent", "user_set", "system_set", "service_policy", "mdm_policy", "service_override_policy",
        "missing_usage_string", "prompt_timeout", "preflight_unknown", "entitled", "app_type_policy", "prompt_cancel",
    ];

    /// <summary>An enum value's name; a value newer than this table keeps its number rather than becoming a wrong name.</summary>
    private static string Named(long? value, string[] names) => value switch
    {
        null => "",
        >= 0 when value < names.Length => names[value.Value],
        _ => value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private TelemetryEvent FileEvent(MessageContext c, EsloggerEventKind kind, string path)
    {
        var e = NewEvent(c, kind, c.Process);
        e.File = FileOf(path);
        return e;
    }

    /// <summary>The fields every event carries, with <paramref name="subject"/> (an es_process_t) as process.*.</summary>
    private TelemetryEvent NewEvent(MessageContext c, EsloggerEventKind kind, JsonElement subject)
    {
        var seq = EsloggerJson.Long(c.Message, "global_seq_num") ?? EsloggerJson.Long(c.Message, "seq_num");
        var e = new TelemetryEvent
        {
            Timestamp = c.Timestamp,
            Event = new Event
            {
                Id = EventId(c, seq ?? 0, kind),
                Kind = "event",
                Action = kind.Action,
                // The data set Elastic Defend uses for the same events, so rules scoped to logs-endpoint.events.* select them.
                Module = "endpoint",
                Dataset = kind.Dataset,
            },
            Host = new Host
            {
                Id = c.HostId,
                Name = this.options.HostName ?? "",
                Hostname = this.options.HostName ?? "",
                Os = new Os { Type = "macos", Platform = "macos", Name = "macOS" },
            },
            Agent = new Agent { Type = FormatName },
            Process = ProcessOf(c.HostId, subject),
        };
        if (seq is { } sequence)
        {
            e.Event.Sequence = sequence;
        }

        e.Event.Category.Add(kind.Category);
        e.Event.Type.Add(kind.Type);
        e.DataStream = new DataStream { Type = "logs", Dataset = kind.Dataset, Namespace = "default" };
        if (AuditToken(subject) is { } token)
        {
            e.User = new User { Id = token.Euid.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (token.Euid == 0)
            {
                e.User.Name = "root";
            }
        }

        return e;
    }

    /// <summary>process.* of an es_process_t, with what the table remembers (args, cwd) and process.parent.</summary>
    private Process ProcessOf(string hostId, JsonElement source)
    {
        var token = AuditToken(source)!.Value;
        var facts = Processes.Find(hostId, token.Pid, token.PidVersion);
        var executable = EsloggerJson.FilePath(source, "executable") ?? facts?.Executable ?? "";
        var process = new Process
        {
            EntityId = EsloggerEntityIds.For(hostId, token.Pid, token.PidVersion),
            Pid = token.Pid,
            Executable = executable,
            Name = Path.GetFileName(executable),
            CodeSignature = CodeSignatureOf(source),
        };
        if (StartTime(source) is { } start)
        {
            process.Start = start;
        }

        if (EsloggerJson.String(source, "cdhash") is { Length: > 0 } cdhash)
        {
            process.Hash = new Hash { Cdhash = cdhash.ToLowerInvariant() };
        }

        if (source.TryGetProperty("tty", out var tty))
        {
            process.Interactive = tty.ValueKind == JsonValueKind.Object;
        }

        if (facts is not null)
        {
            AddArgs(process, facts);
            process.WorkingDirectory = facts.WorkingDirectory;
        }

        var (parentPid, parentVersion) = ParentToken(source);
        if (parentPid > 0 || parentVersion is not null)
        {
            var parentFacts = parentVersion is { } v ? Processes.Find(hostId, parentPid, v) : Processes.FindLatest(hostId, parentPid);
            process.Parent = new Process
            {
                Pid = parentPid,
                EntityId = parentVersion is { } pv ? EsloggerEntityIds.For(hostId, parentPid, pv) : parentFacts?.EntityId ?? "",
            };
            if (parentFacts is not null)
            {
                process.Parent.Executable = parentFacts.Executable;
                process.Parent.Name = Path.GetFileName(parentFacts.Executable);
                process.Parent.WorkingDirectory = parentFacts.WorkingDirectory;
                if (parentFacts.CodeSignature is not null)
                {
                    process.Parent.CodeSignature = parentFacts.CodeSignature.Clone();
                }

                AddArgs(process.Parent, parentFacts);
            }
        }

        // The responsible process (e.g. the app behind an XPC service) is Elastic's effective parent.
        if (EsloggerJson.TryObject(source, "responsible_audit_token", out var responsible)
            && EsloggerJson.Long(responsible, "pid") is { } rpid && rpid != token.Pid && rpid > 0
            && EsloggerJson.Long(responsible, "pidversion") is { } rversion)
        {
            var responsibleFacts = Processes.Find(hostId, rpid, rversion);
            process.Ext = new ProcessExt
            {
                EffectiveParent = new Process
                {
                    EntityId = EsloggerEntityIds.For(hostId, rpid, rversion),
                    Pid = rpid,
                    Executable = responsibleFacts?.Executable ?? "",
                    Name = responsibleFacts is null ? "" : Path.GetFileName(responsibleFacts.Executable),
                },
                ResponsibleExecutable = responsibleFacts?.Executable ?? "",
            };
        }

        return process;
    }

    private static void AddArgs(Process process, EsloggerProcessFacts facts)
    {
        if (facts.Args.Count == 0)
        {
            return;
        }

        process.Args.AddRange(facts.Args);
        process.ArgsCount = facts.Args.Count;

        // Elastic Defend on macOS joins arguments with single spaces, without quoting.
        process.CommandLine = string.Join(' ', facts.Args);
    }

    /// <summary>
    /// process.code_signature from what ES knows without reading the signature: the kernel's codesigning flags, the
    /// signing and team ids, and whether the image is a platform (Apple) binary. Apple's platform binaries are signed
    /// "Software Signing" and trusted; a valid, non-ad-hoc signature with a team id chains to Apple's Developer ID
    /// root (the kernel only validates signatures it can verify), so it is trusted too; ad-hoc and invalid are not.
    /// </summary>
    private static CodeSignature CodeSignatureOf(JsonElement process)
    {
        var signingId = EsloggerJson.String(process, "signing_id") ?? "";
        var teamId = EsloggerJson.String(process, "team_id") ?? "";
        var signature = new CodeSignature { SigningId = signingId, TeamId = teamId };
        var platform = EsloggerJson.Bool(process, "is_platform_binary") == true;

        // Without the kernel's flags the adapter cannot know whether the image is signed or trusted: leave both
        // absent rather than false, so `trusted == false` rules do not match what was never reported.
        if (EsloggerJson.Long(process, "codesigning_flags") is { } flags)
        {
            platform |= (flags & CsPlatformBinary) != 0;
            var signed = (flags & CsSigned) != 0 || signingId.Length > 0;
            var valid = (flags & CsValid) != 0;
            var trusted = signed && valid && (flags & CsAdhoc) == 0 && (platform || teamId.Length > 0);
            signature.Exists = signed;
            signature.Valid = valid;
            signature.Trusted = trusted;
            if (trusted)
            {
                signature.Status = "trusted";
            }
        }

        if (platform)
        {
            signature.SubjectName = "Software Signing";
        }

        return signature;
    }

    private static (long Pid, long? PidVersion) ParentToken(JsonElement process)
    {
        if (EsloggerJson.TryObject(process, "parent_audit_token", out var parent)
            && EsloggerJson.Long(parent, "pid") is { } pid && EsloggerJson.Long(parent, "pidversion") is { } version)
        {
            return (pid, version);
        }

        return (EsloggerJson.Long(process, "ppid") ?? 0, null);
    }

    private static (long Pid, long PidVersion, long Euid)? AuditToken(JsonElement process)
    {
        if (!EsloggerJson.TryObject(process, "audit_token", out var token) || EsloggerJson.Long(token, "pid") is not { } pid)
        {
            return null;
        }

        return (pid, EsloggerJson.Long(token, "pidversion") ?? 0, EsloggerJson.Long(token, "euid") ?? EsloggerJson.Long(token, "ruid") ?? 0);
    }

    private static long? StartTime(JsonElement process) =>
        EsloggerJson.String(process, "start_time") is { } text && EcsTimestamp.TryParse(text, out var nanos) ? nanos : null;

    /// <summary>The one member of the event object, named after the event (exec, open, btm_launch_item_add...).</summary>
    private static string? EventName(JsonElement payload)
    {
        foreach (var member in payload.EnumerateObject())
        {
            return member.Name;
        }

        return null;
    }

    private static string? CreatePath(JsonElement body) => DestinationPath(body);

    /// <summary>create/rename destination: {"existing_file": es_file_t} or {"new_path": {"dir": es_file_t, "filename": ...}}.</summary>
    private static string? DestinationPath(JsonElement body)
    {
        if (!EsloggerJson.TryObject(body, "destination", out var destination))
        {
            return null;
        }

        if (EsloggerJson.FilePath(destination, "existing_file") is { } existing)
        {
            return existing;
        }

        if (EsloggerJson.TryObject(destination, "new_path", out var newPath)
            && EsloggerJson.FilePath(newPath, "dir") is { } dir && EsloggerJson.String(newPath, "filename") is { } name)
        {
            return dir.EndsWith('/') ? dir + name : $"{dir}/{name}";
        }

        return null;
    }

    /// <summary>The path of a BTM item URL ("file:///Library/LaunchDaemons/x.plist"); a relative one is relative to the app.</summary>
    private static string FileUrlPath(string url, string? appUrl)
    {
        static string Local(string u) =>
            Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.IsFile ? Uri.UnescapeDataString(uri.AbsolutePath) : u;

        var path = Local(url);
        if (!path.StartsWith('/') && appUrl is not null)
        {
            path = Local(appUrl).TrimEnd('/') + "/" + path;
        }

        return path;
    }

    private static Vigil.Contracts.Telemetry.File FileOf(string path)
    {
        var name = Path.GetFileName(path);
        var extension = Path.GetExtension(name);
        return new Vigil.Contracts.Telemetry.File
        {
            Path = path,
            Name = name,
            Directory = Path.GetDirectoryName(path) ?? "/",
            Extension = extension.Length > 1 ? extension[1..] : "",
        };
    }

    /// <summary>Unique per host and message: eslogger's global sequence number restarts with eslogger, mach_time does not repeat.</summary>
    private static string EventId(MessageContext c, long seq, EsloggerEventKind kind)
    {
        Span<byte> hash = stackalloc byte[32];
        var machTime = EsloggerJson.Long(c.Message, "mach_time") ?? 0;
        SHA256.HashData(Encoding.UTF8.GetBytes($"{c.HostId}\n{seq}\n{machTime}\n{c.Timestamp}\n{kind.Action}"), hash);
        return Convert.ToBase64String(hash[..15]);
    }

    private static AdaptRejection Invalid(string detail) => new(RejectionReason.InvalidValue, detail);

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record MessageContext(string HostId, long Timestamp, JsonElement Message, JsonElement Process);
}
