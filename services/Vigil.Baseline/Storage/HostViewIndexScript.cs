namespace Vigil.Baseline.Storage;

/// <summary>
/// Updates hosts' indexes of the images they have views of (<see cref="BaselineKeys.HostViews"/>) in one command per
/// Redis slot of a batch (on a standalone Redis, one per batch): for each host, the views' last-seen scores, the
/// index's expiry, and its size back, which tells whether the host is over <see cref="BaselineOptions.MaxHostViewsPerHost"/>.
/// Every batch touches the index of every host it sees (about one host per five events of a backlog, nearly one per
/// event of live traffic), so one command (and its reply, task and argument arrays) per host was a good part of what
/// a batch costs; the commands each host gets (ZADD, PEXPIRE, ZCARD) are the same as before.
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
    /// image tag) pairs. Returns each index's size, in KEYS order.
    /// </summary>
    public const string Text = """
        local pos = 2
        local sizes = {}
        for k = 1, #KEYS do
          local values = 2 * tonumber(ARGV[pos])
          pos = pos + 1
          for i = 0, values - 1, 1000 do
            redis.call('ZADD', KEYS[k], unpack(ARGV, pos + i, pos + math.min(values, i + 1000) - 1))
          end
          pos = pos + values
          redis.call('PEXPIRE', KEYS[k], ARGV[1])
          sizes[k] = redis.call('ZCARD', KEYS[k])
        end
        return sizes
        """;
}
