namespace Vigil.Baseline.Storage;

/// <summary>
/// Updates hosts' indexes of the images they have views of (<see cref="BaselineKeys.HostViews"/>) in one command per
/// Redis slot of a batch (on a standalone Redis, one per batch): for each host, the views' last-seen scores, the
/// index's expiry, and its size back when it may have grown, which tells whether the host is over
/// <see cref="BaselineOptions.MaxHostViewsPerHost"/>. Every batch touches the index of every host it sees (about one
/// host per five events of a backlog, nearly one per event of live traffic), so one command (and its reply, task and
/// argument arrays) per host was a good part of what a batch costs.
/// <para>
/// The size (ZCARD) is read only when the ZADD added members: only an added member grows the index (a member already
/// there only has its score moved), and a host found over the cap loses views down to 90 % of it at once, so an index
/// the batch added nothing to is no larger than when it was last counted.
/// </para>
/// </summary>
internal static class HostViewIndexScript
{
    /// <summary>At most this many hosts per call: Redis runs a script alone, so a large batch goes in several short ones.</summary>
    public const int HostsPerCall = 128;

    /// <summary>
    /// And at most about this many arguments per call (a host with more views goes alone): 128 hosts of up to
    /// MaxHostViewsPerHost views each would otherwise make one script long enough to hold Redis for other clients.
    /// </summary>
    public const int ArgumentsPerCall = 8192;

    /// <summary>
    /// KEYS[k] host k's index; ARGV[1] the indexes' TTL (ms), then per host: its number of views n, and n (score,
    /// image tag) pairs. Returns per host, in KEYS order, the index's size when the ZADD added members, else 0 (it did
    /// not grow).
    /// </summary>
    public const string Text = """
        local pos = 2
        local sizes = {}
        for k = 1, #KEYS do
          local values = 2 * tonumber(ARGV[pos])
          pos = pos + 1
          local added = 0
          for i = 0, values - 1, 1000 do
            added = added + redis.call('ZADD', KEYS[k], unpack(ARGV, pos + i, pos + math.min(values, i + 1000) - 1))
          end
          pos = pos + values
          redis.call('PEXPIRE', KEYS[k], ARGV[1])
          if added > 0 then
            sizes[k] = redis.call('ZCARD', KEYS[k])
          else
            sizes[k] = 0
          end
        end
        return sizes
        """;
}
