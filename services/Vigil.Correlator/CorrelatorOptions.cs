using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>Settings of a correlator process (configuration section "Correlator"; --analytic sets Analytic).</summary>
public sealed class CorrelatorOptions
{
    public const string Section = "Correlator";

    /// <summary>The analytic pack this process runs (an0167, an0994, an0425, installer-network...).</summary>
    public string Analytic { get; set; } = string.Empty;

    /// <summary>Folder of the pack's rule files; default: rules/&lt;analytic&gt; next to the app, then above the working directory.</summary>
    public string? RulesPath { get; set; }

    /// <summary>How far out of time order a host's events may arrive; a rule's [vigil] lateness overrides it.</summary>
    public TimeSpan Lateness { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Report a sequence as soon as the events seen complete it when no late event could make it false (no until, no
    /// missing-event steps, not a sample; docs/latency.md). Off: every match waits for the watermark, exactly the
    /// sorted stream's reports, at the cost of the lateness in latency.
    /// </summary>
    public bool ReportEarly { get; set; } = true;

    /// <summary>How long an alert id is remembered, so a replay after a crash does not publish it again.</summary>
    public TimeSpan AlertIdRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Most new-terms combinations kept per Redis hash (per rule and host, or per rule and one of 256 fleet buckets);
    /// over it the least recently seen are evicted and counted in vigil_correlator_state_evictions_total.
    /// </summary>
    public int NewTermsPerHash { get; set; } = 4096;

    /// <summary>
    /// Most (rule, host) states of owned partitions kept in memory (written through to Redis either way); over it the
    /// least recently written leave memory and cost a Redis read when next needed.
    /// </summary>
    public int LiveStateLimit { get; set; } = OwnedStates.DefaultLimit;

    /// <summary>
    /// Most states loaded from Redis as partitions are assigned (named by their previous owner, or holding events),
    /// before their first batch: the load holds up consuming, so it is kept short; the rest are read as batches need
    /// them. 0 loads none.
    /// </summary>
    public int AssignmentPreloadLimit { get; set; } = OwnedStates.DefaultPreloadLimit;

    /// <summary>
    /// Most threshold groups kept per rule and host (when threshold.field includes host.id; else per rule and one of
    /// 256 fleet buckets), besides their expiry: over it the groups with the oldest newest event are dropped and
    /// counted in vigil_correlator_state_evictions_total, so a host emitting ever new group values stays bounded.
    /// </summary>
    public int ThresholdGroupsPerHost { get; set; } = 4096;

    /// <summary>
    /// The longest the release of held-back events sleeps: it wakes when the next held state is due (the lateness after
    /// its events arrived), and at least this often to pick up states held meanwhile; expired states are swept at this pace.
    /// </summary>
    public TimeSpan QuietHostScanInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}
