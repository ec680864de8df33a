namespace Vigil.Adapters;

/// <summary>
/// event.category / event.type / event.action (and the Elastic Defend data set) an Endpoint Security event becomes:
/// the names Elastic Defend gives the same behaviour on macOS, so Elastic's rules select eslogger events unchanged.
/// </summary>
public sealed record EsloggerEventKind(string Category, string Type, string Action, string Dataset)
{
    public static readonly EsloggerEventKind ProcessExec = new("process", "start", "exec", "endpoint.events.process");
    public static readonly EsloggerEventKind ProcessFork = new("process", "start", "fork", "endpoint.events.process");
    public static readonly EsloggerEventKind ProcessEnd = new("process", "end", "end", "endpoint.events.process");
    public static readonly EsloggerEventKind FileCreation = new("file", "creation", "creation", "endpoint.events.file");
    public static readonly EsloggerEventKind FileModification = new("file", "change", "modification", "endpoint.events.file");
    public static readonly EsloggerEventKind FileRename = new("file", "change", "rename", "endpoint.events.file");
    public static readonly EsloggerEventKind FileOpen = new("file", "access", "open", "endpoint.events.file");
    public static readonly EsloggerEventKind FileDeletion = new("file", "deletion", "deletion", "endpoint.events.file");

    /// <summary>com.apple.quarantine removed (Elastic: "Quarantine Attrib Removed by Unsigned or Untrusted Process").</summary>
    public static readonly EsloggerEventKind QuarantineRemoved = new("file", "change", "extended_attributes_delete", "endpoint.events.file");

    /// <summary>A launch agent or daemon registered with background task management (Elastic's persistence event).</summary>
    public static readonly EsloggerEventKind LaunchItem = new("file", "creation", "launch_daemon", "endpoint.events.file");

    /// <summary>The user let Gatekeeper run a file it blocked (macOS 15+).</summary>
    public static readonly EsloggerEventKind GatekeeperOverride = new("configuration", "change", "gatekeeper_override", "endpoint.events.security");

    /// <summary>A TCC permission granted, changed or revoked (macOS 15.4+).</summary>
    public static readonly EsloggerEventKind TccModify = new("configuration", "change", "tcc_modify", "endpoint.events.security");

    /// <summary>
    /// A directory-service group membership change. Elastic Defend documents no macOS event for it; the names follow
    /// the prebuilt rule that tests it (configuration / change / od_group_add) and ES_EVENT_TYPE_NOTIFY_OD_GROUP_*.
    /// </summary>
    public static readonly EsloggerEventKind GroupMemberAdded = new("configuration", "change", "od_group_add", "endpoint.events.security");

    public static readonly EsloggerEventKind GroupMemberRemoved = new("configuration", "change", "od_group_remove", "endpoint.events.security");

    /// <summary>An executable mapping of a library (dylib/bundle) into a process.</summary>
    public static readonly EsloggerEventKind LibraryLoad = new("library", "start", "load", "endpoint.events.library");
}
