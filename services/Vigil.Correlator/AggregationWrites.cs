using StackExchange.Redis;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>Threshold groups and new-terms last-seen times a batch changed, written once its alerts are published.</summary>
public sealed class AggregationWrites
{
    public Dictionary<RedisKey, (CompiledRule Rule, ThresholdGroup Group)> Groups { get; } = [];

    public Dictionary<(RedisKey Hash, string Field), (CompiledRule Rule, long LastSeen)> Terms { get; } = [];

    public bool IsEmpty => Groups.Count == 0 && Terms.Count == 0;
}
