namespace Vigil.Baseline.Storage;

/// <summary>
/// Updates hosts' indexes of the images they have views of (<see cref="BaselineKeys.HostViews"/>) in one command per
/// Redis slot of a batch (on a standalone Redis, one per batch): for each host, the views' last-seen scores, the
/// index's expiry when due, and its size back when it may have grown, which tells whether the host is over
/// <see cref="BaselineOptions.MaxHostViewsPerHost"/>. Every batch touches the index of every host it sees (about one
/// host per five events of a backlog, nearly one per event of live traffic), so one command (and its reply, task and
/// argument arrays) per host was a good part of what a batch costs.
/// <para>
/// The index's expiry is refreshed (<see cref="ExpiryRefresh"/>) when any of the batch's views of the host is due a
/// refresh, or when the ZADD added members (a new view, or an index made anew). A view is refreshed with its host's
/// index in the same commit, so when none of the batch's views is due, each was refreshed less than the margin ago and
/// the index with it. The size (ZCARD) is read only when the ZADD added members or the expiry is refreshed: only an
/// added member grows the index, and a host over the cap loses views as soon as its size comes back over it.
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
    /// KEYS[k] host k's index; ARGV[1] the indexes' TTL (ms) when refreshed, then per host: its number of views n, 1 when
    /// its index's expiry is due a refresh else 0, and n (score, image tag) pairs. Returns per host, in KEYS order, the
    /// index's size when it was read, else 0 (nothing added: the size did not grow).
    /// </summary>
    public const string Text = """
        local pos = 2
        local sizes = {}
        for k = 1, #KEYS do
          local values = 2 * tonumber(ARGV[pos])
          local refresh = ARGV[pos + 1] ~= '0'
          pos = pos + 2
          local added = 0
          for i = 0, values - 1, 1000 do
            added = added + redis.call('ZADD', KEYS[k], unpack(ARGV, pos + i, pos + math.min(values, i + 1000) - 1))
          end
          pos = pos + values
          if refresh or added > 0 then
            redis.call('PEXPIRE', KEYS[k], ARGV[1])
            sizes[k] = redis.call('ZCARD', KEYS[k])
          else
            sizes[k] = 0
          end
        end
        return sizes
        """;
}
