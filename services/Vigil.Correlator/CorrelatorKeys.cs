using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;
using Vigil.Detection;
using Vigil.Redis;

namespace Vigil.Correlator;

/// <summary>
/// Names the correlator's Redis keys, in one place for its state store and its alert memory. Per-host keys carry the
/// host id as hash tag, so one host's keys live on one cluster slot.
/// </summary>
public sealed class CorrelatorKeys(RedisKeys keys, string analytic)
{
    /// <summary>A (rule, host) sequence state.</summary>
    public RedisKey State(StateKey key) =>
        key.TryGetStoredName(this, out var name) ? name : key.RememberStoredName(this, keys.Host(key.HostId, "seq", key.RuleId, key.Fingerprint));

    /// <summary>The set of states of a telemetry partition that hold back events.</summary>
    public RedisKey Held(int partition) => keys.Fleet($"held-{analytic}", "held", analytic, partition.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// The states a telemetry partition's last owner had in memory when it gave the partition up (with the held sets'
    /// hash tag: one slot for all of an analytic's partition sets).
    /// </summary>
    public RedisKey Handoff(int partition) => keys.Fleet($"held-{analytic}", "handoff", analytic, partition.ToString(CultureInfo.InvariantCulture));

    /// <summary>A published alert's id.</summary>
    public RedisKey Alert(PendingAlert alert) => keys.Host(alert.Alert.Host.Id, "alert", alert.Alert.Id);

    /// <summary>
    /// A suppression window: with the host's state when the rule groups by host.id, else fleet-wide under a hash tag
    /// taken from the group's hash, so groups spread over a Redis Cluster's slots.
    /// </summary>
    public RedisKey Suppression(PendingAlert alert)
    {
        var group = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(alert.SuppressionGroup!)).AsSpan(0, 12));
        return alert.IsSuppressedPerHost
            ? keys.Host(alert.Alert.Host.Id, "suppress", alert.Rule.RuleId, group)
            : keys.Fleet(group[..8], "suppress", alert.Rule.RuleId, group);
    }
}
