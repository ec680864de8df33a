namespace Vigil.Baseline.Storage;

/// <summary>
/// Updates one host's index of the images it has views of (<see cref="BaselineKeys.HostViews"/>) in one command:
/// the views' last-seen scores, the index's expiry, and its size back, which tells whether the host is over
/// <see cref="BaselineOptions.MaxHostViewsPerHost"/>. One script instead of ZADD, PEXPIRE and ZCARD: a host's
/// index is touched by every batch that sees the host, so the three commands (and their replies) per host were a
/// good part of what a batch costs.
/// </summary>
internal static class HostViewIndexScript
{
    /// <summary>KEYS[1] the host's index; ARGV[1] its TTL (ms), then (score, image tag) pairs. Returns the index's size.</summary>
    public const string Text = """
        for i = 2, #ARGV, 1000 do
          redis.call('ZADD', KEYS[1], unpack(ARGV, i, math.min(#ARGV, i + 999)))
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return redis.call('ZCARD', KEYS[1])
        """;
}
