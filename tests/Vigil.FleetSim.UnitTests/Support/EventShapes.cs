using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim.UnitTests.Support;

/// <summary>The event kinds of telemetry.proto's header: category / type / action.</summary>
internal static class EventShapes
{
    public static readonly (string Category, string Type, string Action)[] Allowed =
    [
        ("process", "start", "exec"), ("process", "start", "fork"), ("process", "end", "end"),
        ("file", "creation", "creation"), ("file", "change", "modification"), ("file", "access", "open"), ("file", "change", "rename"),
        ("network", "start", "connection_attempted"), ("network", "end", "disconnect_received"), ("network", "protocol", "lookup_requested"),
        ("library", "start", "load"), ("library", "start", "script_load"),
        ("network", "protocol", "lookup_result"), ("file", "change", "extended_attributes_delete"), ("file", "creation", "launch_daemon"),
        ("configuration", "change", "gatekeeper_override"), ("configuration", "change", "tcc_modify"),
        ("configuration", "change", "od_group_add"), ("configuration", "change", "od_group_remove"),
    ];

    public static (string Category, string Type, string Action) Of(TelemetryEvent e) =>
        (Assert.Single(e.Event.Category), Assert.Single(e.Event.Type), e.Event.Action);

    public static bool IsExec(TelemetryEvent e) => Of(e) == ("process", "start", "exec");

    public static bool IsConnect(TelemetryEvent e) => Of(e) == ("network", "start", "connection_attempted");

    public static bool IsDisconnect(TelemetryEvent e) => Of(e) == ("network", "end", "disconnect_received");

    public static bool IsFileCreate(TelemetryEvent e) => Of(e) == ("file", "creation", "creation");

    public static bool IsFileOpen(TelemetryEvent e) => Of(e) == ("file", "access", "open");

    /// <summary>True when a happens strictly before b by (@timestamp, event.sequence).</summary>
    public static bool Precedes(TelemetryEvent a, TelemetryEvent b) =>
        a.Timestamp < b.Timestamp || (a.Timestamp == b.Timestamp && a.Event.Sequence < b.Event.Sequence);

    public static TimeSpan Gap(TelemetryEvent from, TelemetryEvent to) => TimeSpan.FromTicks((to.Timestamp - from.Timestamp) / 100);

    public static readonly string[] BrowserNames = ["Safari", "Google Chrome", "firefox", "Brave Browser", "Microsoft Edge", "Arc"];
}
