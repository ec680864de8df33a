using Prometheus;

namespace Vigil.Console;

/// <summary>Prometheus metrics of the console (documented in docs/console.md).</summary>
internal static class ConsoleMetrics
{
    public static readonly Counter AlertsStored = Metrics.CreateCounter(
        "vigil_console_alerts_stored_total", "Alerts stored for triage (replays of a stored alert are not counted).");

    public static readonly Counter AlertsEvicted = Metrics.CreateCounter(
        "vigil_console_alerts_evicted_total", "Oldest alerts removed with their history to keep the store within Console:MaxAlerts.");

    public static readonly Counter TriageActions = Metrics.CreateCounter(
        "vigil_console_triage_actions_total", "Triage steps recorded, by action.", "action");

    public static readonly Counter ScrapeFailures = Metrics.CreateCounter(
        "vigil_console_scrape_failures_total", "Failed scrapes of a configured /metrics target.", "target");
}
