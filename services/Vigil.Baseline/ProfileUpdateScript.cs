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
        local applied = 0
        local result = { 0 }

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

        local function merge(prefix, n, mean, m2)
          if n == 0 then return end
          local current = redis.call('HMGET', profile, prefix .. 'n', prefix .. 'm', prefix .. 'q')
          local n1 = tonumber(current[1]) or 0
          local mean1 = tonumber(current[2]) or 0
          local q1 = tonumber(current[3]) or 0
          local total = n1 + n
          local delta = mean - mean1
          redis.call('HSET', profile,
            prefix .. 'n', string.format('%d', total),
            prefix .. 'm', string.format('%.17g', mean1 + delta * n / total),
            prefix .. 'q', string.format('%.17g', q1 + m2 + delta * delta * n1 * n / total))
        end

        local record = 0
        while pos <= #ARGV do
          record = record + 1
          local host_key = KEYS[3 + record]
          local expected = ARGV[pos]
          local watermark = ARGV[pos + 1]
          local field_count = tonumber(ARGV[pos + 2])
          pos = pos + 3
          local stored = redis.call('HGET', host_key, 'w') or ''
          local ok = stored == expected
          if ok then
            redis.call('DEL', host_key)
            local hset = { 'HSET', host_key, 'w', watermark }
            for i = 0, field_count - 1 do
              hset[#hset + 1] = ARGV[pos + 2 * i]
              hset[#hset + 1] = ARGV[pos + 2 * i + 1]
            end
            redis.call(unpack(hset))
            redis.call('PEXPIRE', host_key, ARGV[2])
          else
            result[#result + 1] = record
          end
          pos = pos + 2 * field_count

          local observations, connections, alerts, first, last = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2], ARGV[pos + 3], ARGV[pos + 4]
          pos = pos + 5
          local protocol_count = tonumber(ARGV[pos])
          pos = pos + 1
          if ok then
            if observations ~= '0' then redis.call('HINCRBY', profile, 'obs', observations) end
            if connections ~= '0' then redis.call('HINCRBY', profile, 'con', connections) end
            if alerts ~= '0' then redis.call('HINCRBY', profile, 'alr', alerts) end
            if first ~= '' then
              set_min('f', first)
              set_max('l', last)
            end
            for i = 0, protocol_count - 1 do
              local signature, count, seen = ARGV[pos + 3 * i], ARGV[pos + 3 * i + 1], ARGV[pos + 3 * i + 2]
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
          end
          pos = pos + 3 * protocol_count

          if ok then
            merge('cs.', tonumber(ARGV[pos]), tonumber(ARGV[pos + 1]), tonumber(ARGV[pos + 2]))
            merge('cr.', tonumber(ARGV[pos + 3]), tonumber(ARGV[pos + 4]), tonumber(ARGV[pos + 5]))
            merge('bs.', tonumber(ARGV[pos + 6]), tonumber(ARGV[pos + 7]), tonumber(ARGV[pos + 8]))
            merge('br.', tonumber(ARGV[pos + 9]), tonumber(ARGV[pos + 10]), tonumber(ARGV[pos + 11]))
          end
          pos = pos + 12

          local destination_count = tonumber(ARGV[pos])
          pos = pos + 1
          if ok then
            local i = 0
            while i < destination_count do
              local chunk = { 'PFADD', KEYS[2] }
              local stop = math.min(destination_count, i + 500)
              for j = i, stop - 1 do chunk[#chunk + 1] = ARGV[pos + j] end
              redis.call(unpack(chunk))
              i = stop
            end
            redis.call('PFADD', KEYS[3], ARGV[pos + destination_count])
            applied = applied + 1
          end
          pos = pos + destination_count + 1
        end

        if applied > 0 then
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
        end
        return result
        """;
}
