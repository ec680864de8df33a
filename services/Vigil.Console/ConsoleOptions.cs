namespace Vigil.Console;

/// <summary>Settings of vigil-console (section "Console"); checked at start by <see cref="ConsoleOptionsValidation"/>.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>The baseline's gRPC address (AN1227 profiles and explanations); empty leaves the profile view out.</summary>
    public string BaselineUrl { get; set; } = string.Empty;

    /// <summary>PEM CA the baseline's server certificate must chain to (an https:// BaselineUrl); unset trusts the machine's store.</summary>
    public string? BaselineCaCertificatePath { get; set; }

    /// <summary>PEM client certificate (and key, <see cref="BaselineClientKeyPath"/>) for a baseline requiring mutual TLS.</summary>
    public string? BaselineClientCertificatePath { get; set; }

    public string? BaselineClientKeyPath { get; set; }

    /// <summary>A file holding the baseline's read token, for a baseline that restricts reads (Baseline:Api:ReadTokenFile).</summary>
    public string? BaselineTokenFile { get; set; }

    /// <summary>Folder of rule packs (rules/&lt;analytic&gt;/*.toml), read as the correlators read them; empty finds rules/ near the app.</summary>
    public string? RulesPath { get; set; }

    /// <summary>
    /// /metrics endpoints the rules and pipeline pages scrape, as "name=url" (or a bare url):
    /// the correlators for rule counts, every consuming service for lag and dead letters.
    /// </summary>
    public List<string> MetricsTargets { get; set; } = [];

    /// <summary>How often the targets are scraped; lag that has not fallen for <see cref="StallAfter"/> marks a partition stalled.</summary>
    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Alerts kept in Redis; the oldest are evicted beyond this (with their triage history).</summary>
    public int MaxAlerts { get; set; } = 20_000;

    /// <summary>File holding the change token: presenting it (bearer header or the login cookie) allows triage.</summary>
    public string? ChangeTokenFile { get; set; }

    /// <summary>Whether callers on the console's own loopback may triage without the token (as the baseline allows).</summary>
    public bool AllowLoopbackChanges { get; set; } = true;

    /// <summary>How often the live alert list refreshes itself in the browser.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
}
