using StackExchange.Redis;

namespace Vigil.Redis;

/// <summary>
/// A batch's keys grouped by Redis hash slot: a Redis Cluster refuses a script or multi-key command whose keys are in
/// different slots, so batched calls are made one group at a time. On a standalone server every key is in one group.
/// </summary>
public static class RedisSlots
{
    /// <summary>The indexes 0 to <paramref name="count"/> − 1 grouped by the slot of their key, each group in index order.</summary>
    public static Dictionary<int, List<int>> GroupBySlot(this IConnectionMultiplexer redis, int count, Func<int, RedisKey> keyOf)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keyOf);
        var groups = new Dictionary<int, List<int>>();
        for (var i = 0; i < count; i++)
        {
            // NoSlot (-1) on a standalone server: every key goes in one group.
            var slot = redis.HashSlot(keyOf(i));
            if (!groups.TryGetValue(slot, out var group))
            {
                groups[slot] = group = [];
            }

            group.Add(i);
        }

        return groups;
    }
}
