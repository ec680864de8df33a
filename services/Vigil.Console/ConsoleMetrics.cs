using Prometheus;

namespace Vigil.Console;

/// <summary>Prometheus metrics of the console (documented in docs/console.md).</summary>
public sealed class ConsoleMetrics(IMetricFactory factory)
{
    public Counter AlertsStored { get; } = factory.CreateCounter(
        "vigil_console_alerts_stored_total", "Alerts stored for triage (replays of a stored alert are not counted).");

    public Counter AlertsEvicted { get; } = factory.CreateCounter(
        "vigil_console_alerts_evicted_total", "Oldest alerts removed with their history to keep the store within Console:MaxAlerts.");

    public Counter TriageActions { get; } = factory.CreateCounter(
        "vigil_console_triage_actions_total", "Triage steps recorded, by action.", ["action"]);

    public Counter ScrapeFailures { get; } = factory.CreateCounter(
        "vigil_console_scrape_failures_total", "Failed scrapes of a configured /metrics target.", ["target"]);
}
