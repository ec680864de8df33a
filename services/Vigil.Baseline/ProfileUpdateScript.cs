namespace Vigil.Baseline;

/// <summary>
/// The Lua script that applies one batch's host updates for one image atomically. All keys carry the image's hash
/// tag, so the script runs on one slot of a Redis Cluster. Each host update is applied only if the host view's
/// stored watermark is still the one the batch read (compare-and-set): a replay or a concurrent writer of the same
/// host view is refused whole, host view and fleet contribution together. Fleet contributions are commutative
/// (HINCRBY, min/max, set-if-under-cap, PFADD, the parallel variance merge), so any number of consumers can apply
/// theirs in any order. Timestamps are compared as decimal strings, exactly (Lua numbers are doubles).
/// </summary>
internal static class ProfileUpdateScript
{
    /// <summary>Fixed arguments before the per-host records.</summary>
    public const int HeaderArguments = 7;

    /// <summary>
    /// KEYS[1] profile hash, KEYS[2] destinations HyperLogLog, KEYS[3] hosts HyperLogLog, KEYS[3+g] host view of record g.
    /// ARGV[1] profile TTL (ms), ARGV[2] host view TTL (ms), ARGV[3] protocol cap, ARGV[4] minimum observations,
    /// ARGV[5] minimum age (ns), ARGV[6] identity, ARGV[7] identity kind; then per host record:
    /// expected watermark, new watermark, field count, field/value pairs (the whole host view),
    /// observations, connections, alerts, first seen, last seen ('' when none),
    /// protocol count, (signature, count, first seen) triples,
    /// count/mean/M2 for connection-sent, connection-received, bucket-sent, bucket-received,
    /// destination count, destinations, host id.
    /// Returns { 1 if the profile matured now else 0, numbers of the records refused... }.
    /// </summary>
    public const string Text = """
        local profile = KEYS[1]
        local pos = 8

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

        -- Chan et al.: merges count/mean/M2 summaries exactly, in any order.
        local function combine(a, n, mean, m2)
          if n == 0 then return a end
          if a[1] == 0 then return { n, mean, m2 } end
          local total = a[1] + n
          local delta = mean - a[2]
          return { total, a[2] + delta * n / total, a[3] + m2 + delta * delta * a[1] * n / total }
        end

        -- The records that pass their watermark check are summed here first, then applied to the profile once.
        local observations, connections, alerts = 0, 0, 0
        local first, last = nil, nil
        local protocols, protocol_order = {}, {}
        local statistics = { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 } }
        local destinations, hosts = {}, {}
        local result = { 0 }
        local record = 0
        while pos <= #ARGV do
          record = record + 1
          local host_key = KEYS[3 + record]
          local expected, watermark, field_count = ARGV[pos], ARGV[pos + 1], tonumber(ARGV[pos + 2])
          pos = pos + 3
          local ok = (redis.call('HGET', host_key, 'w') or '') == expected
          if ok then
            redis.call('DEL', host_key)
            local hset = { 'HSET', host_key, 'w', watermark }
            -- A host view has a few dozen fields at most (protocols and suppressions are capped).
            for i = 0, 2 * field_count - 1 do hset[#hset + 1] = ARGV[pos + i] end
            redis.call(unpack(hset))
            redis.call('PEXPIRE', host_key, ARGV[2])
          else
            result[#result + 1] = record
          end
          pos = pos + 2 * field_count

          local protocol_count = tonumber(ARGV[pos + 5])
          local destination_count = tonumber(ARGV[pos + 6 + 3 * protocol_count + 12])
          if ok then
            observations = observations + tonumber(ARGV[pos])
            connections = connections + tonumber(ARGV[pos + 1])
            alerts = alerts + tonumber(ARGV[pos + 2])
            if ARGV[pos + 3] ~= '' then
              if (not first) or less(ARGV[pos + 3], first) then first = ARGV[pos + 3] end
              if (not last) or less(last, ARGV[pos + 4]) then last = ARGV[pos + 4] end
            end
            local p = pos + 6
            for i = 0, protocol_count - 1 do
              local signature, count, seen = ARGV[p + 3 * i], tonumber(ARGV[p + 3 * i + 1]), ARGV[p + 3 * i + 2]
              local known = protocols[signature]
              if known then
                known[1] = known[1] + count
                if less(seen, known[2]) then known[2] = seen end
              else
                protocols[signature] = { count, seen }
                protocol_order[#protocol_order + 1] = signature
              end
            end
            p = p + 3 * protocol_count
            for s = 1, 4 do
              local q = p + 3 * (s - 1)
              statistics[s] = combine(statistics[s], tonumber(ARGV[q]), tonumber(ARGV[q + 1]), tonumber(ARGV[q + 2]))
            end
            p = p + 13
            for i = 0, destination_count - 1 do destinations[#destinations + 1] = ARGV[p + i] end
            hosts[#hosts + 1] = ARGV[p + destination_count]
          end
          pos = pos + 6 + 3 * protocol_count + 12 + 1 + destination_count + 1
        end

        if #hosts == 0 then return result end
        if observations ~= 0 then redis.call('HINCRBY', profile, 'obs', observations) end
        if connections ~= 0 then redis.call('HINCRBY', profile, 'con', connections) end
        if alerts ~= 0 then redis.call('HINCRBY', profile, 'alr', alerts) end
        if first then
          set_min('f', first)
          set_max('l', last)
        end
        for _, signature in ipairs(protocol_order) do
          local count, seen = protocols[signature][1], protocols[signature][2]
          local field = 'p:' .. signature
          if redis.call('HEXISTS', profile, field) == 1 then
            redis.call('HINCRBY', profile, field, count)
            set_min('pf:' .. signature, seen)
          elseif tonumber(redis.call('HGET', profile, 'pn') or '0') < tonumber(ARGV[3]) then
            redis.call('HSET', profile, field, count, 'pf:' .. signature, seen)
            redis.call('HINCRBY', profile, 'pn', 1)
            set_max('chg', seen)
          else
            redis.call('HINCRBY', profile, 'povf', count)
          end
        end
        local prefixes = { 'cs.', 'cr.', 'bs.', 'br.' }
        for s = 1, 4 do
          local add = statistics[s]
          if add[1] > 0 then
            local prefix = prefixes[s]
            local current = redis.call('HMGET', profile, prefix .. 'n', prefix .. 'm', prefix .. 'q')
            local merged = combine({ tonumber(current[1]) or 0, tonumber(current[2]) or 0, tonumber(current[3]) or 0 }, add[1], add[2], add[3])
            redis.call('HSET', profile,
              prefix .. 'n', string.format('%d', merged[1]),
              prefix .. 'm', string.format('%.17g', merged[2]),
              prefix .. 'q', string.format('%.17g', merged[3]))
          end
        end
        -- In chunks: Lua's unpack is limited to a few thousand values.
        for i = 1, #destinations, 500 do
          redis.call('PFADD', KEYS[2], unpack(destinations, i, math.min(#destinations, i + 499)))
        end
        for i = 1, #hosts, 500 do
          redis.call('PFADD', KEYS[3], unpack(hosts, i, math.min(#hosts, i + 499)))
        end

        redis.call('HSETNX', profile, 'id', ARGV[6])
        redis.call('HSETNX', profile, 'kind', ARGV[7])
        if redis.call('HEXISTS', profile, 'mat') == 0 then
          local state = redis.call('HMGET', profile, 'obs', 'f', 'l')
          if state[2] and state[3] and tonumber(state[1] or '0') >= tonumber(ARGV[4])
             and tonumber(state[3]) - tonumber(state[2]) >= tonumber(ARGV[5]) then
            redis.call('HSET', profile, 'mat', state[3])
            set_max('chg', state[3])
            result[1] = 1
          end
        end
        redis.call('PEXPIRE', profile, ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[3], ARGV[1])
        return result
        """;
}
