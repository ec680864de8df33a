using Vigil.Baseline.Api;

namespace Vigil.Baseline;

/// <summary>Settings of the baseline service (configuration section "Baseline"); defaults suit production fleets.</summary>
public sealed class BaselineOptions
{
    public const string Section = "Baseline";

    /// <summary>Where health and metrics are served (HTTP/1.1), ';'-separated; --urls sets it.</summary>
    public string HttpUrls { get; set; } = "http://127.0.0.1:7410";

    /// <summary>Where the gRPC API listens (HTTP/2, on a port of its own; https:// with Baseline:Api TLS settings); --grpc-url sets it.</summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:7411";

    /// <summary>A profile learns until it has this many protocol observations...</summary>
    public long MinObservations { get; set; } = 500;

    /// <summary>...and has been seen over at least this span of event time.</summary>
    public TimeSpan MinAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Width of the per-host volume buckets the persistence rule counts.</summary>
    public TimeSpan BucketWidth { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A volume is anomalous this many standard deviations above the learned mean, in log space.</summary>
    public double VolumeSigma { get; set; } = 4;

    /// <summary>A volume this far out alerts in a single bucket: no benign spread explains it. 0 turns this off.</summary>
    public double ExtremeVolumeSigma { get; set; } = 8;

    /// <summary>Volume alerts need this many anomalous buckets (k)...</summary>
    public int PersistenceBuckets { get; set; } = 3;

    /// <summary>...among the host's last this many buckets of the image (n).</summary>
    public int PersistenceWindow { get; set; } = 5;

    /// <summary>Volumes at or below this many bytes are never anomalous, however far from the mean.</summary>
    public long VolumeFloorBytes { get; set; } = 1_048_576;

    /// <summary>The spread used is never narrower than this (log space), so a near-constant volume does not make every change infinite.</summary>
    public double MinLogStdDev { get; set; } = 0.5;

    /// <summary>
    /// The spread used is never wider than this (log space): near-empty buckets and small samples inflate the standard
    /// deviation of log(1 + bytes), which would put the threshold at terabytes. 1.75 with VolumeSigma 4 makes about
    /// 1,100 times the typical volume anomalous at most (see LogVolumeStatistics.Spread).
    /// </summary>
    public double MaxLogStdDev { get; set; } = 1.75;

    /// <summary>Volume rules run once a statistic has this many samples.</summary>
    public long MinVolumeSamples { get; set; } = 30;

    /// <summary>Distinct protocols kept per image; beyond it the image is too diverse for protocol novelty to mean anything.</summary>
    public int MaxProtocolsPerImage { get; set; } = 64;

    /// <summary>Distinct protocols kept per host view of an image.</summary>
    public int MaxProtocolsPerHost { get; set; } = 32;

    /// <summary>
    /// Host views (one per image a host used the network with) kept per host. A host running more distinct images
    /// (a flood of generated executables) loses the views it used least recently: their volume history and alert
    /// suppressions start over. Counted in vigil_baseline_host_views_evicted_total, logged once per host.
    /// </summary>
    public int MaxHostViewsPerHost { get; set; } = 2000;

    /// <summary>
    /// Host views of owned partitions kept in memory between batches (write-through to Redis), so a host seen again
    /// costs no Redis read. Over it, the least recently used leave memory and are read from Redis when next needed;
    /// 0 reads every view from Redis each batch. A view with a few protocols takes about 1–2 KB.
    /// </summary>
    public int LiveHostViewLimit { get; set; } = 100_000;

    /// <summary>
    /// Profiles kept in memory between batches with the version they were read or written at, so a batch reads a
    /// profile whole only when someone else (another baseline instance, an analyst's verdict) changed it since; each
    /// batch still checks every touched profile's version in its one read round trip. Over it, the least recently
    /// used leave memory and are read whole when next needed; 0 reads every profile whole each batch.
    /// </summary>
    public int HeldProfileLimit { get; set; } = 16_384;

    /// <summary>A profile not seen for this long expires.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A host's view of an image (buckets, persistence history, suppressions) expires after this long unused.</summary>
    public TimeSpan HostStateRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The same new protocol from the same image on the same host alerts again only after this long.</summary>
    public TimeSpan AlertSuppression { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long ExplainAlert can explain an alert.</summary>
    public TimeSpan ExplanationRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// How often the baseline checks, even without traffic, that Redis still holds its memory: the generation marker,
    /// and a slice of <see cref="ProfileSweepSize"/> profiles of the listing index (also checked at once when the
    /// Redis connection is restored). A loss is reported within about this long, whether or not its images return.
    /// </summary>
    public TimeSpan MemoryCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Profiles checked for existence per <see cref="MemoryCheckInterval"/> (the sweep walks the whole index in turn).</summary>
    public int ProfileSweepSize { get; set; } = 500;

    /// <summary>Processes remembered from exec events to rebuild chains (Automator or osascript behind curl).</summary>
    public int ChainCacheCapacity { get; set; } = 100_000;

    /// <summary>Event times further than this ahead of the wall clock are clamped, so a skewed clock cannot age a profile.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A file holding the change token: callers presenting it ("authorization: Bearer &lt;token&gt;") may call
    /// AcceptProtocol from anywhere. Unset, only loopback callers may (kubectl exec or port-forward into the pod).
    /// </summary>
    public string? ChangeTokenFile { get; set; }

    /// <summary>
    /// Whether loopback callers may change the baseline without the token. Turn off behind a service-mesh sidecar,
    /// which proxies every inbound call from loopback.
    /// </summary>
    public bool AllowLoopbackChanges { get; set; } = true;

    /// <summary>Every problem with these options, naming the configuration key; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Require(bool ok, string key, string problem)
        {
            if (!ok)
            {
                errors.Add($"{Section}:{key} {problem}");
            }
        }

        Require(HttpUrls.Split(';', StringSplitOptions.RemoveEmptyEntries).All(u => Uri.TryCreate(u, UriKind.Absolute, out var http) && http.Scheme == Uri.UriSchemeHttp), nameof(HttpUrls), "must be http:// URLs separated by ';'.");
        Require(Uri.TryCreate(GrpcUrl, UriKind.Absolute, out var grpc) && (grpc.Scheme == Uri.UriSchemeHttp || grpc.Scheme == Uri.UriSchemeHttps), nameof(GrpcUrl), "must be an http:// URL (h2c) or, with Baseline:Api:CertificatePath, an https:// one.");
        Require(MinObservations >= 1, nameof(MinObservations), "must be at least 1.");
        Require(MinAge >= TimeSpan.Zero, nameof(MinAge), "must not be negative.");
        Require(BucketWidth >= TimeSpan.FromSeconds(1), nameof(BucketWidth), "must be at least 1 s.");
        Require(VolumeSigma > 0, nameof(VolumeSigma), "must be positive.");
        Require(ExtremeVolumeSigma == 0 || ExtremeVolumeSigma >= VolumeSigma, nameof(ExtremeVolumeSigma), "must be 0 (off) or at least VolumeSigma.");
        Require(PersistenceWindow is >= 1 and <= 60, nameof(PersistenceWindow), "must be between 1 and 60.");
        Require(PersistenceBuckets >= 1 && PersistenceBuckets <= PersistenceWindow, nameof(PersistenceBuckets), "must be between 1 and PersistenceWindow.");
        Require(VolumeFloorBytes >= 0, nameof(VolumeFloorBytes), "must not be negative.");
        Require(MinLogStdDev > 0, nameof(MinLogStdDev), "must be positive.");
        Require(MaxLogStdDev >= MinLogStdDev, nameof(MaxLogStdDev), "must be at least MinLogStdDev.");
        Require(MinVolumeSamples >= 2, nameof(MinVolumeSamples), "must be at least 2.");
        Require(MaxProtocolsPerImage >= 1, nameof(MaxProtocolsPerImage), "must be at least 1.");
        Require(MaxProtocolsPerHost >= 1, nameof(MaxProtocolsPerHost), "must be at least 1.");
        Require(MaxHostViewsPerHost >= 1, nameof(MaxHostViewsPerHost), "must be at least 1.");
        Require(LiveHostViewLimit >= 0, nameof(LiveHostViewLimit), "must not be negative (0 keeps no host view in memory).");
        Require(HeldProfileLimit >= 0, nameof(HeldProfileLimit), "must not be negative (0 keeps no profile in memory).");
        Require(Retention > TimeSpan.Zero, nameof(Retention), "must be positive.");
        Require(HostStateRetention >= BucketWidth * PersistenceWindow, nameof(HostStateRetention), "must cover at least PersistenceWindow buckets.");
        Require(AlertSuppression >= TimeSpan.Zero, nameof(AlertSuppression), "must not be negative.");
        Require(ExplanationRetention > TimeSpan.Zero, nameof(ExplanationRetention), "must be positive.");
        Require(MemoryCheckInterval >= TimeSpan.FromMilliseconds(100) && MemoryCheckInterval <= TimeSpan.FromMinutes(10), nameof(MemoryCheckInterval), "must be between 100 ms and 10 minutes.");
        Require(ProfileSweepSize is >= 1 and <= 100_000, nameof(ProfileSweepSize), "must be between 1 and 100,000.");
        Require(ChainCacheCapacity >= 0, nameof(ChainCacheCapacity), "must not be negative.");
        Require(MaxClockSkew >= TimeSpan.Zero, nameof(MaxClockSkew), "must not be negative.");
        Require(string.IsNullOrEmpty(ChangeTokenFile) || (File.Exists(ChangeTokenFile) && ChangeAuthorization.ReadToken(ChangeTokenFile).Length >= 16), nameof(ChangeTokenFile), "must name a readable file holding a token of at least 16 characters.");
        return errors;
    }
}
