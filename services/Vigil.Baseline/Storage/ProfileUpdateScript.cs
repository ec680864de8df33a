namespace Vigil.Baseline.Storage;

/// <summary>
/// The Lua script that applies one batch's updates for one image atomically. All keys carry the image's hash tag, so
/// the script runs on one slot of a Redis Cluster. It first checks every host view's stored watermark against the
/// one the batch read (compare-and-set); if any moved (a replay already applied, or another writer), nothing is
/// written and the batch is retried with fresh reads. Otherwise it replaces the host views and adds the batch's
/// summed contribution to the profile. Contributions are commutative (HINCRBY, min/max, set-if-under-cap, PFADD,
/// the parallel variance merge), so any number of consumers apply theirs in any order. Timestamps are compared as
/// decimal strings, exactly (Lua numbers are doubles).
/// </summary>
internal static class ProfileUpdateScript
{
    /// <summary>
    /// What every script over a profile hash (KEYS[1]) starts with: `profile`, and min/max updates of its fields that
    /// compare decimal timestamps exactly, as strings.
    /// </summary>
    public const string ProfileFunctions = """
        local profile = KEYS[1]

        local function less(a, b)
          if #a ~= #b then return #a < #b end
          return a < b
        end

        local function set_min(field, value)
          local current = redis.call('HGET', profile, field)
          if (not current) or less(value, current) then redis.call('HSET', profile, field, value) end
        end

        local function set_max(field, value)
          local current = redis.call('HGET', profile, field)
          if (not current) or less(current, value) then redis.call('HSET', profile, field, value) end
        end

        """;

    /// <summary>Fixed arguments before the host views.</summary>
    public const int HeaderArguments = 9;

    /// <summary>Arguments per host view before the host ids: expected watermark, new watermark, view, expiry refresh flag.</summary>
    public const int ViewArguments = 4;

    /// <summary>
    /// At most this many images per <see cref="UpdateMany"/> or <see cref="ReadManyIfChanged"/> call: Redis runs a script
    /// alone, holding every other client (the correlators among them), so a backlog's large batch goes in several short
    /// calls, and an image's script error stops only the images after it in its own call.
    /// </summary>
    public const int ImagesPerCall = 128;

    /// <summary>And at most about this many keys and arguments per call (an image with more goes alone).</summary>
    public const int ValuesPerCall = 8192;

    /// <summary>
    /// Applies several images' updates (all their keys on one slot of a Redis Cluster), each image on its own, applied
    /// or refused as by a call of its own: a command, task and reply per call instead of per image, which the client's
    /// per-command work (writing, flushing, hashing the script's text to find its SHA) made a good part of the baseline's
    /// CPU per event. KEYS: each image's keys one image after another; ARGV[1] image count N, then per image its key
    /// count and argument count, then each image's arguments one image after another. Returns one reply per image, in
    /// order.
    /// <para>
    /// An image's keys: [1] profile hash, [2] destinations HyperLogLog, [3] hosts HyperLogLog, [3+i] host view i.
    /// Its arguments: [1] the profile's TTL (ms) when refreshed, [2] a host view's TTL (ms) when refreshed,
    /// [3] protocol cap, [4] minimum observations, [5] minimum age (ns), [6] identity, [7] identity kind,
    /// [8] host view count H, [9] the profile's refresh threshold (ms: its expiry is refreshed when less remains);
    /// then per host view: expected watermark, new watermark, view document, 1 when its expiry is due a refresh else 0
    /// (<see cref="ExpiryRefresh"/>); then the H host ids;
    /// then the contribution: observations, connections, alerts, first seen, last seen ('' when none),
    /// protocol count, (signature, count, first seen) triples,
    /// count/mean/M2 for connection-sent, connection-received, bucket-sent, bucket-received,
    /// destination count, destinations; last, the profile's new version (random, fresh for every call).
    /// Its reply: { 1 if the profile matured now else 0, the profile's version before ('' when it had none), its version
    /// after } when applied, or { -1, numbers of the refused host views... } when refused (nothing written, the version
    /// unchanged).
    /// </para>
    /// </summary>
    public const string UpdateMany = "local function apply(KEYS, ARGV)\n" + ProfileFunctions + UpdateBody + """

        end

        local images = tonumber(ARGV[1])
        local results = {}
        local k, a = 1, 2 + 2 * images
        for i = 1, images do
          local nk, na = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
          local keys, args = {}, {}
          for j = 1, nk do keys[j] = KEYS[k + j - 1] end
          for j = 1, na do args[j] = ARGV[a + j - 1] end
          results[i] = apply(keys, args)
          k, a = k + nk, a + na
        end
        return results
        """;

    private const string UpdateBody = $$"""
        local hosts = tonumber(ARGV[8])

        local refused = { -1 }
        for i = 1, hosts do
          if (redis.call('HGET', KEYS[3 + i], '{{ProfileFields.Watermark}}') or '') ~= ARGV[6 + 4 * i] then refused[#refused + 1] = i end
        end
        if #refused > 1 then return refused end

        -- The version changes first, to a fresh random number: a write that fails half way still leaves the profile
        -- at a version no baseline holds, and a version lost with acknowledged writes (a failover, a restore) is
        -- never issued again for different content, as a counter's would be.
        local before = redis.call('HGET', profile, '{{ProfileFields.Version}}')
        redis.call('HSET', profile, '{{ProfileFields.Version}}', ARGV[#ARGV])
        local after = tonumber(ARGV[#ARGV])

        -- The identity is written when the profile is made (every profile this script made has a version, which it writes
        -- in the same call as the identity), never overwritten; a profile without a version (made by a release before
        -- the version field) gets it if it lacks it, as every update used to do. Right after the version: a call that
        -- fails later cannot leave a profile with a version and no identity (a listing would take it for expired).
        if not before then
          redis.call('HSETNX', profile, '{{ProfileFields.Identity}}', ARGV[6])
          redis.call('HSETNX', profile, '{{ProfileFields.IdentityKind}}', ARGV[7])
        end

        -- A view's expiry is refreshed when the service says it is due (it last refreshed it the margin or more ago, or
        -- never: ExpiryRefresh), and always when the view is new (expected watermark ''), so no view is left without one.
        for i = 1, hosts do
          redis.call('HSET', KEYS[3 + i], '{{ProfileFields.Watermark}}', ARGV[7 + 4 * i], '{{ProfileFields.HostState}}', ARGV[8 + 4 * i])
          if ARGV[9 + 4 * i] ~= '0' or ARGV[6 + 4 * i] == '' then redis.call('PEXPIRE', KEYS[3 + i], ARGV[2]) end
        end

        -- In chunks: Lua's unpack is limited to a few thousand values. A HyperLogLog PFADD made or changed has its
        -- expiry refreshed below (with the profile's, so the three keys keep expiring together).
        local grown = false
        local pos = 10 + 4 * hosts
        for i = 0, hosts - 1, 500 do
          if redis.call('PFADD', KEYS[3], unpack(ARGV, pos + i, pos + math.min(hosts, i + 500) - 1)) == 1 then grown = true end
        end
        pos = pos + hosts

        if ARGV[pos] ~= '0' then redis.call('HINCRBY', profile, '{{ProfileFields.Observations}}', ARGV[pos]) end
        if ARGV[pos + 1] ~= '0' then redis.call('HINCRBY', profile, '{{ProfileFields.Connections}}', ARGV[pos + 1]) end
        if ARGV[pos + 2] ~= '0' then redis.call('HINCRBY', profile, '{{ProfileFields.Alerts}}', ARGV[pos + 2]) end
        if ARGV[pos + 3] ~= '' then
          set_min('{{ProfileFields.FirstSeen}}', ARGV[pos + 3])
          set_max('{{ProfileFields.LastSeen}}', ARGV[pos + 4])
        end
        local protocols = tonumber(ARGV[pos + 5])
        pos = pos + 6
        for i = 0, protocols - 1 do
          local signature, count, seen = ARGV[pos + 3 * i], ARGV[pos + 3 * i + 1], ARGV[pos + 3 * i + 2]
          local field = '{{ProfileFields.ProtocolPrefix}}' .. signature
          if redis.call('HEXISTS', profile, field) == 1 then
            redis.call('HINCRBY', profile, field, count)
            set_min('{{ProfileFields.ProtocolFirstSeenPrefix}}' .. signature, seen)
          elseif tonumber(redis.call('HGET', profile, '{{ProfileFields.ProtocolKinds}}') or '0') < tonumber(ARGV[3]) then
            redis.call('HSET', profile, field, count, '{{ProfileFields.ProtocolFirstSeenPrefix}}' .. signature, seen)
            redis.call('HINCRBY', profile, '{{ProfileFields.ProtocolKinds}}', 1)
            set_max('{{ProfileFields.LastChanged}}', seen)
          else
            redis.call('HINCRBY', profile, '{{ProfileFields.ProtocolOverflow}}', count)
          end
        end
        pos = pos + 3 * protocols

        -- Chan et al.: merges count/mean/M2 summaries exactly, in any order.
        for _, prefix in ipairs({ '{{ProfileFields.SentPerConnection}}', '{{ProfileFields.ReceivedPerConnection}}', '{{ProfileFields.SentPerBucket}}', '{{ProfileFields.ReceivedPerBucket}}' }) do
          local n = tonumber(ARGV[pos])
          if n > 0 then
            local mean, m2 = tonumber(ARGV[pos + 1]), tonumber(ARGV[pos + 2])
            local current = redis.call('HMGET', profile, prefix .. '{{ProfileFields.Count}}', prefix .. '{{ProfileFields.Mean}}', prefix .. '{{ProfileFields.M2}}')
            local n1, mean1, q1 = tonumber(current[1]) or 0, tonumber(current[2]) or 0, tonumber(current[3]) or 0
            local total = n1 + n
            local delta = mean - mean1
            redis.call('HSET', profile,
              prefix .. '{{ProfileFields.Count}}', string.format('%d', total),
              prefix .. '{{ProfileFields.Mean}}', string.format('%.17g', mean1 + delta * n / total),
              prefix .. '{{ProfileFields.M2}}', string.format('%.17g', q1 + m2 + delta * delta * n1 * n / total))
          end
          pos = pos + 3
        end

        local destinations = tonumber(ARGV[pos])
        pos = pos + 1
        for i = 0, destinations - 1, 500 do
          if redis.call('PFADD', KEYS[2], unpack(ARGV, pos + i, pos + math.min(destinations, i + 500) - 1)) == 1 then grown = true end
        end

        local result = { 0 }
        if redis.call('HEXISTS', profile, '{{ProfileFields.MaturedAt}}') == 0 then
          local state = redis.call('HMGET', profile, '{{ProfileFields.Observations}}', '{{ProfileFields.FirstSeen}}', '{{ProfileFields.LastSeen}}')
          if state[2] and state[3] and tonumber(state[1] or '0') >= tonumber(ARGV[4])
             and tonumber(state[3]) - tonumber(state[2]) >= tonumber(ARGV[5]) then
            redis.call('HSET', profile, '{{ProfileFields.MaturedAt}}', state[3])
            set_max('{{ProfileFields.LastChanged}}', state[3])
            result[1] = 1
          end
        end
        -- The three keys' expiry, refreshed together (ExpiryRefresh): when less than the retention remains (the last
        -- refresh, by any replica, set retention + margin, more than the margin ago), when the profile has none (-1:
        -- just made), or when a HyperLogLog was made or changed (one made here has no expiry yet).
        if grown or redis.call('PTTL', profile) < tonumber(ARGV[9]) then
          redis.call('PEXPIRE', profile, ARGV[1])
          redis.call('PEXPIRE', KEYS[2], ARGV[1])
          redis.call('PEXPIRE', KEYS[3], ARGV[1])
        end
        return { result[1], before or '', after }
        """;

    /// <summary>
    /// A profile's version change for scripts other than <see cref="UpdateMany"/> that change it (an analyst's verdict),
    /// to the fresh random version in the script's last argument, before anything else is written (as UpdateMany does):
    /// a profile without a version keeps none, so no held copy of it exists.
    /// </summary>
    public const string BumpVersion = $$"""
        if redis.call('HEXISTS', profile, '{{ProfileFields.Version}}') == 1 then redis.call('HSET', profile, '{{ProfileFields.Version}}', ARGV[#ARGV]) end
        """;

    /// <summary>A fresh profile version: random below 2^52 (exact in Lua's doubles), never 0.</summary>
    public static long NewVersion() => Random.Shared.NextInt64(1, 1L << 52);

    /// <summary>
    /// Reads several images' profiles and views (their keys on one slot of a Redis Cluster): each profile unless it is
    /// still at the version a baseline holds, and the stored watermark and view of each of the image's views the batch
    /// needs and does not hold in memory. KEYS: per image its profile, then the views of it to read; ARGV: per image the
    /// held version ('' when none) and how many views follow its profile in KEYS. Returns per image, in order,
    /// { 0 when the profile is unchanged, else its fields and values as HGETALL does (empty when it does not exist),
    /// then per view its watermark and view ('' when absent: a stored view is never empty; '' reads alike over RESP2 and
    /// RESP3, while a Lua false, a null under either, would come back as a boolean over RESP3 if the script ever called
    /// redis.setresp(3)) }.
    /// </summary>
    public const string ReadManyIfChanged = $$"""
        local replies = {}
        local k = 1
        for i = 1, #ARGV, 2 do
          local views = tonumber(ARGV[i + 1])
          local version = redis.call('HGET', KEYS[k], '{{ProfileFields.Version}}')
          local reply = { 0 }
          if not (version and version == ARGV[i]) then reply[1] = redis.call('HGETALL', KEYS[k]) end
          for j = k + 1, k + views do
            local view = redis.call('HMGET', KEYS[j], '{{ProfileFields.Watermark}}', '{{ProfileFields.HostState}}')
            reply[#reply + 1] = view[1] or ''
            reply[#reply + 1] = view[2] or ''
          end
          replies[#replies + 1] = reply
          k = k + 1 + views
        end
        return replies
        """;
}
