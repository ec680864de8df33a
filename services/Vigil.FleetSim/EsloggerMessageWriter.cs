using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Adapters;
using Vigil.Contracts;
using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim;

/// <summary>
/// Writes a simulated event as eslogger prints the Endpoint Security message for it (one es_message_t JSON object),
/// so the simulator's process and file telemetry can take a real fleet's path: raw eslogger topic → vigil-ingest.
/// Endpoint Security has no network, DNS or script-load events: those stay canonical events (<see cref="ToLine"/>
/// returns null) and <see cref="Reattributed"/> gives them the process ids the eslogger adapter derives, as
/// vigil-agent's network source does, so sequences joined on process.entity_id still line up.
/// A simulated process's audit token is its pid and a pidversion derived from its entity id.
/// </summary>
public static class EsloggerMessageWriter
{
    // codesigning_flags as the kernel reports them (xnu cs_blobs.h): CS_VALID, CS_ADHOC, CS_RUNTIME, CS_SIGNED, CS_PLATFORM_BINARY.
    private const long CsValid = 0x1, CsAdhoc = 0x2, CsRuntime = 0x10000, CsSigned = 0x20000000, CsPlatformBinary = 0x4000000;

    private static readonly string[] TccUpdateTypes = ["unknown", "create", "modify", "delete"];
    private static readonly string[] TccRights = ["denied", "unknown", "allowed", "limited"];
    private static readonly string[] TccReasons = ["none", "error", "user_consent", "user_set", "system_set", "service_policy", "mdm_policy"];

    /// <summary>The eslogger line (UTF-8, no newline) for an event Endpoint Security reports; null for one it does not.</summary>
    public static byte[]? ToLine(TelemetryEvent e)
    {
        var kind = (e.Event.Category.FirstOrDefault(), e.Event.Action);
        var (type, name) = kind switch
        {
            ("process", "exec") => (9, "exec"),
            ("process", "fork") => (11, "fork"),
            ("process", "end") => (15, "exit"),
            ("file", "creation") => (13, "create"),
            ("file", "modification") => (12, "close"),
            ("file", "open") => (10, "open"),
            ("file", "rename") => (25, "rename"),
            ("file", "deletion") => (32, "unlink"),
            ("file", "extended_attributes_delete") => (70, "deleteextattr"),
            ("file", "launch_daemon") => (124, "btm_launch_item_add"),
            ("configuration", "gatekeeper_override") => (146, "gatekeeper_user_override"),
            ("configuration", "tcc_modify") => (147, "tcc_modify"),
            ("configuration", "od_group_add") => (132, "od_group_add"),
            ("configuration", "od_group_remove") => (133, "od_group_remove"),
            ("library", "load") => (20, "mmap"),
            _ => (0, ""),
        };
        if (name.Length == 0)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schema_version", 1);
            w.WriteNumber("version", 8);
            w.WriteString("time", EcsTimestamp.Format(e.Timestamp));
            w.WriteNumber("mach_time", e.Timestamp / 1000);
            w.WriteNumber("global_seq_num", SequenceOf(e));
            w.WriteNumber("seq_num", SequenceOf(e));
            w.WriteNumber("event_type", type);
            w.WriteNumber("action_type", 1);
            w.WritePropertyName("process");
            var messageProcess = type == 11 ? e.Process.Parent ?? e.Process : e.Process;
            WriteProcess(w, messageProcess, e.User, previousImage: type == 9);
            w.WriteStartObject("event");
            w.WriteStartObject(name);
            WriteBody(w, type, e);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A canonical copy of an event with no eslogger form, its process ids as the eslogger adapter derives them.</summary>
    public static TelemetryEvent Reattributed(TelemetryEvent e)
    {
        var copy = e.Clone();
        Reattribute(copy.Host.Id, copy.Process);
        Reattribute(copy.Host.Id, copy.Process?.Parent);
        Reattribute(copy.Host.Id, copy.EffectiveProcess);
        return copy;
    }

    /// <summary>The pidversion a simulated process's audit token carries: stable per entity id, never 0.</summary>
    public static long PidVersionOf(string entityId) =>
        (BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(entityId)), 0) % 1_000_000) + 1;

    private static void Reattribute(string hostId, Process? process)
    {
        if (process is not null && process.EntityId.Length > 0)
        {
            process.EntityId = EsloggerEntityIds.For(hostId, process.Pid, PidVersionOf(process.EntityId));
        }
    }

    private static void WriteBody(Utf8JsonWriter w, int type, TelemetryEvent e)
    {
        switch (type)
        {
            case 9:
                w.WritePropertyName("target");
                WriteProcess(w, e.Process, e.User, previousImage: false);
                w.WriteStartArray("args");
                foreach (var arg in e.Process.Args)
                {
                    w.WriteStringValue(arg);
                }

                w.WriteEndArray();
                WriteFile(w, "cwd", e.Process.WorkingDirectory.Length > 0 ? e.Process.WorkingDirectory : "/");
                w.WriteString("dyld_exec_path", e.Process.Executable);
                w.WriteNull("script");
                w.WriteStartArray("env");
                w.WriteEndArray();
                break;
            case 11:
                w.WritePropertyName("child");
                WriteProcess(w, e.Process, e.User, previousImage: false);
                break;
            case 15:
                w.WriteNumber("stat", e.Process.HasExitCode ? (e.Process.ExitCode & 0xff) << 8 : 9);
                break;
            case 13:
                w.WriteNumber("destination_type", 1);
                w.WriteStartObject("destination");
                WriteNewPath(w, e.File.Path);
                w.WriteEndObject();
                break;
            case 12:
                w.WriteBoolean("modified", true);
                WriteFile(w, "target", e.File.Path);
                break;
            case 10:
                w.WriteNumber("fflag", 1);
                WriteFile(w, "file", e.File.Path);
                break;
            case 25:
                WriteFile(w, "source", e.File.Ext?.Original?.Path ?? "");
                w.WriteNumber("destination_type", 1);
                w.WriteStartObject("destination");
                WriteNewPath(w, e.File.Path);
                w.WriteEndObject();
                break;
            case 32:
                WriteFile(w, "target", e.File.Path);
                WriteFile(w, "parent_dir", e.File.Directory);
                break;
            case 70:
                w.WriteString("extattr", "com.apple.quarantine");
                WriteFile(w, "target", e.File.Path);
                break;
            case 124:
                w.WritePropertyName("instigator");
                WriteProcess(w, e.Process, e.User, previousImage: false);
                w.WriteNull("app");
                w.WriteStartObject("item");
                w.WriteNumber("item_type", e.Persistence.Path.Contains("/LaunchAgents/", StringComparison.Ordinal) ? 3 : 4);
                w.WriteBoolean("legacy", true);
                w.WriteBoolean("managed", false);
                w.WriteNumber("uid", long.TryParse(e.User?.Id, out var uid) ? uid : 0);
                w.WriteString("item_url", new Uri(e.Persistence.Path).AbsoluteUri);
                w.WriteNull("app_url");
                w.WriteEndObject();
                w.WriteString("executable_path", e.Persistence.Args.FirstOrDefault() ?? "");
                break;
            case 146:
                w.WriteNumber("file_type", 1);
                w.WriteStartObject("file");
                WriteFile(w, "file", e.File.Path);
                w.WriteEndObject();
                w.WriteNull("sha256");
                w.WriteStartObject("signing_info");
                w.WriteString("signing_id", e.File.CodeSignature?.SigningId ?? "");
                w.WriteString("team_id", e.File.CodeSignature?.TeamId ?? "");
                w.WriteString("cdhash", "");
                w.WriteEndObject();
                break;
            case 147:
                w.WriteString("service", "kTCCService" + e.Tcc.Service);
                w.WriteString("identity", e.Tcc.Identity);
                w.WriteNumber("identity_type", e.Tcc.IdentityType == "executable_path" ? 1 : 0);
                w.WriteNumber("update_type", Math.Max(0, Array.IndexOf(TccUpdateTypes, e.Tcc.UpdateType)));
                w.WriteNumber("right", Math.Max(0, Array.IndexOf(TccRights, e.Tcc.Right)));
                w.WriteNumber("reason", Math.Max(0, Array.IndexOf(TccReasons, e.Tcc.Reason)));
                w.WritePropertyName("instigator");
                WriteProcess(w, e.Process, e.User, previousImage: false);
                if (e.EffectiveProcess is not null)
                {
                    w.WritePropertyName("responsible");
                    WriteProcess(w, e.EffectiveProcess, e.EffectiveProcess.User ?? e.User, previousImage: false);
                }

                break;
            case 132 or 133:
                w.WritePropertyName("instigator");
                WriteProcess(w, e.Process, e.User, previousImage: false);
                w.WriteString("group_name", e.Group.Name);
                w.WriteStartObject("member");
                w.WriteNumber("member_type", 0);
                w.WriteStartObject("member_value");
                w.WriteString("name", e.User.Name);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteString("node_name", "/Local/Default");
                w.WriteNumber("error_code", 0);
                break;
            case 20:
                w.WriteNumber("protection", 5);
                w.WriteNumber("max_protection", 7);
                w.WriteNumber("flags", 1);
                w.WriteNumber("file_pos", 0);
                WriteFile(w, "source", e.Dll.Path);
                break;
        }
    }

    /// <summary>es_process_t; exec's message process is the image before the exec (same pid, previous pidversion).</summary>
    private static void WriteProcess(Utf8JsonWriter w, Process p, User? user, bool previousImage)
    {
        var version = PidVersionOf(p.EntityId) - (previousImage ? 1 : 0);
        var euid = long.TryParse(user?.Id, out var id) ? id : 501;
        w.WriteStartObject();
        w.WriteStartObject("audit_token");
        w.WriteNumber("pid", p.Pid);
        w.WriteNumber("pidversion", version);
        w.WriteNumber("euid", euid);
        w.WriteNumber("ruid", euid);
        w.WriteNumber("egid", euid == 0 ? 0 : 20);
        w.WriteNumber("rgid", euid == 0 ? 0 : 20);
        w.WriteNumber("auid", euid);
        w.WriteNumber("asid", 100_000);
        w.WriteEndObject();
        var parent = p.Parent;
        w.WriteNumber("ppid", parent?.Pid ?? 1);
        w.WriteNumber("original_ppid", parent?.Pid ?? 1);
        if (parent is not null && parent.EntityId.Length > 0)
        {
            w.WriteStartObject("parent_audit_token");
            w.WriteNumber("pid", parent.Pid);
            w.WriteNumber("pidversion", PidVersionOf(parent.EntityId));
            w.WriteEndObject();
        }

        var signature = p.CodeSignature;
        var platform = signature?.SubjectName == "Software Signing";
        long flags = 0;
        if (signature is { Exists: true })
        {
            flags = CsSigned | CsRuntime | (signature.Trusted ? CsValid : CsValid | CsAdhoc) | (platform ? CsPlatformBinary : 0);
        }

        w.WriteNumber("codesigning_flags", flags);
        w.WriteBoolean("is_platform_binary", platform);
        w.WriteBoolean("is_es_client", false);
        w.WriteString("signing_id", signature?.SigningId ?? "");
        if (signature is { TeamId.Length: > 0 })
        {
            w.WriteString("team_id", signature.TeamId);
        }
        else
        {
            w.WriteNull("team_id");
        }

        WriteFile(w, "executable", p.Executable);
        w.WriteNull("tty");
        if (p.Start != 0)
        {
            w.WriteString("start_time", EcsTimestamp.Format(p.Start));
        }

        w.WriteEndObject();
    }

    private static void WriteFile(Utf8JsonWriter w, string name, string path)
    {
        w.WriteStartObject(name);
        w.WriteString("path", path);
        w.WriteBoolean("path_truncated", false);
        w.WriteEndObject();
    }

    private static void WriteNewPath(Utf8JsonWriter w, string path)
    {
        w.WriteStartObject("new_path");
        WriteFile(w, "dir", Path.GetDirectoryName(path) ?? "/");
        w.WriteString("filename", Path.GetFileName(path));
        w.WriteNumber("mode", 420);
        w.WriteEndObject();
    }

    private static long SequenceOf(TelemetryEvent e) => e.Event.HasSequence ? e.Event.Sequence : e.Timestamp / 1000;
}
