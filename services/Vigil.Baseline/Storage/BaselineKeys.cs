using StackExchange.Redis;
using Vigil.Redis;

namespace Vigil.Baseline.Storage;

/// <summary>
/// The baseline's Redis keys. An image's keys share its hash tag (<see cref="ProcessImage.Tag"/>), so the update
/// script over them is atomic on a cluster: vigil:fleet:{tag}:baseline:profile, :destinations, :hosts and
/// :host:&lt;host.id&gt;. Listing indexes share the tag "baseline-index"; explanations are tagged by alert id.
/// </summary>
public sealed class BaselineKeys(RedisKeys keys)
{
    private const string Kind = "baseline";
    private const string IndexTag = "baseline-index";

    // An image's own keys, built once per image: every batch that touches the image reads and writes them.
    // Each host's index key, built once per host: every batch that sees the host updates its index. Both caches evict
    // what was not used for a while (BoundedCache), so a fleet larger than their bound still finds its active hosts'
    // keys cached instead of building every key past the bound on each batch.
    private readonly BoundedCache<string, RedisKey> hostIndexes = new(131_072, StringComparer.Ordinal);
    private readonly BoundedCache<string, (RedisKey Profile, RedisKey Destinations, RedisKey Hosts)> imageKeys = new(16_384, StringComparer.Ordinal);

    public RedisKey Profile(string tag) => ImageKeys(tag).Profile;

    public RedisKey Destinations(string tag) => ImageKeys(tag).Destinations;

    public RedisKey Hosts(string tag) => ImageKeys(tag).Hosts;

    public RedisKey HostView(string tag, string hostId) => keys.Fleet(tag, Kind, "host", hostId);

    /// <summary>
    /// Sorted set of the image tags a host has views of, by the view's last seen (event time, ms): what bounds the
    /// views per host (<see cref="BaselineOptions.MaxHostViewsPerHost"/>). Under the host's tag, apart from the views.
    /// </summary>
    public RedisKey HostViews(string hostId) => hostIndexes.GetOrAdd(hostId, static (h, names) => names.Host(h, Kind, "views"), keys);

    /// <summary>Sorted set of image tags by last seen (event time, ms).</summary>
    public RedisKey SeenIndex { get; } = keys.Fleet(IndexTag, Kind, "seen");

    /// <summary>Sorted set of image tags by last learned protocol or maturity (event time, ms).</summary>
    public RedisKey ChangedIndex { get; } = keys.Fleet(IndexTag, Kind, "changed");

    /// <summary>Sorted set of image tags by alerts raised.</summary>
    public RedisKey AnomalousIndex { get; } = keys.Fleet(IndexTag, Kind, "anomalous");

    /// <summary>Hash of bare signing ids to the identities that carry a team id, so an analyst can type "com.google.Chrome".</summary>
    public RedisKey SigningIdAliases { get; } = keys.Fleet(IndexTag, Kind, "aliases");

    public RedisKey Explanation(string alertId) => keys.Fleet(alertId, Kind, "alert");

    /// <summary>
    /// Hash naming the generation of the baseline's memory (id, when it began, why). Written once when the
    /// memory begins; its absence later means Redis lost the baseline's keys (restarted empty, flushed, evicted).
    /// </summary>
    public RedisKey Generation { get; } = keys.Fleet(IndexTag, Kind, "generation");

    private (RedisKey Profile, RedisKey Destinations, RedisKey Hosts) ImageKeys(string tag) =>
        imageKeys.GetOrAdd(tag, static (t, names) => (names.Fleet(t, Kind, "profile"), names.Fleet(t, Kind, "destinations"), names.Fleet(t, Kind, "hosts")), keys);

    /// <summary>The names every Vigil key is built from (for keys shared with other services, e.g. alert checkpoints).</summary>
    public RedisKeys Names => keys;

    /// <summary>
    /// Where releases before the shared <see cref="Vigil.Detection.RedisAlertCheckpoints"/> kept a telemetry partition's
    /// alert-topic offsets; read once and moved when the current key is absent.
    /// </summary>
    public RedisKey FormerAlertCursor(int partition) =>
        keys.Fleet("baseline-alert-cursor", Kind, "alert-cursor", partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
