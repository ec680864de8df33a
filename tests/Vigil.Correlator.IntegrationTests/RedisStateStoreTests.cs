using StackExchange.Redis;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>
/// The correlator's state store on a real redis-server: a (rule, host) state is a hash whose fields a batch sets and
/// deletes one by one, bounded by bytes, read back whole after a restart, and migrated from an earlier version's string;
/// a batch's writes are one script call (one per slot on a Redis Cluster). Every test runs with the store connected
/// over RESP2 and over RESP3 (Redis:Protocol), whose replies differ in shape (nulls, maps, sets), and finds the same.
/// </summary>
public sealed class RedisStateStoreTests(RedisClusterServer cluster) : IAsyncLifetime, IClassFixture<RedisClusterServer>
{
    private readonly ManualTime clock = new(DateTimeOffset.FromUnixTimeMilliseconds(InstallerEvents.T0 / 1_000_000));
    private readonly List<RedisConnector> connectors = [];
    private RedisServer redis = null!;
    private ConnectionMultiplexer connection = null!;

    public async ValueTask InitializeAsync()
    {
        redis = await RedisServer.StartAsync();
        connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connector in connectors)
        {
            await connector.DisposeAsync();
        }

        await connection.DisposeAsync();
        await redis.DisposeAsync();
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task OneMorePartialOnAHostHoldingAThousandSetsOneFieldInRedisAndARestartReadsTheSameStateBack(RedisProtocol protocol)
    {
        var route = Route(Pack(), await SpeakingAsync(protocol));
        var key = new StateKey(route.Pack.Rules.Single(), "mac-1");
        await route.StepAsync(Enumerable.Range(0, 1_000).Select(i => Shell("mac-1", i, $"u-{i}")).ToArray());
        await route.ReleaseQuietAsync(clock);
        var hashBytes = await MemoryUsageAsync(route, key);

        await route.StepAsync(Shell("mac-1", 10_000, "u-new"));
        var (set, deleted) = (route.Store.FieldsSet, route.Store.FieldsDeleted);
        await route.ReleaseQuietAsync(clock);

        Assert.Equal(2, route.Store.FieldsSet - set); // the new partial and the header
        Assert.Equal(1, route.Store.FieldsDeleted - deleted); // the event's reorder-buffer field
        Assert.True(hashBytes > 200_000, $"the state takes {hashBytes} bytes in Redis");
        Assert.Equal(1_002, await Db.HashLengthAsync(Keys(route).State(key))); // 1,001 partials and the header
        Assert.Equal("hash", (await Db.KeyTypeAsync(Keys(route).State(key))).ToString().ToLowerInvariant());
        Assert.True(await Db.KeyTimeToLiveAsync(Keys(route).State(key)) > TimeSpan.Zero);

        // A restarted correlator: nothing in memory, the same state from Redis, and it completes a sequence.
        var live = (await route.Owned.LoadAsync([(key, 0)]))[key];
        var restarted = Route(route.Pack, route.Connection, route.Keys);
        var reloaded = (await restarted.Owned.LoadAsync([(key, 0)]))[key];
        Assert.Equal((live.PendingSequenceCount, live.LatestTimestamp, live.BufferedEventCount), (reloaded.PendingSequenceCount, reloaded.LatestTimestamp, reloaded.BufferedEventCount));
        var curl = InstallerEvents.CurlConnection("mac-1", InstallerEvents.T0 + InstallerEvents.Seconds(12), "c-new");
        curl.User.Id = "u-new";
        // Reported as soon as the curl completes it (the rule reports early), once.
        var matches = (await restarted.StepAsync(curl)).Matches.Concat((await restarted.ReleaseQuietAsync(clock)).Matches);
        Assert.Equal(["s-u-new", "c-new"], Assert.Single(matches).Match.EventIds);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task BatchesOfSlightlyFewerEventsAfterALargerOneStoreExactlyTheirOwnFieldsWhateverArgumentArraysTheyReuse(RedisProtocol protocol)
    {
        var route = Route(Pack(), await SpeakingAsync(protocol));
        var sizes = new[] { 600, 590, 580, 560, 520, 600, 300 };
        for (var b = 0; b < sizes.Length; b++)
        {
            await route.StepAsync(Enumerable.Range(0, sizes[b]).Select(i => Shell($"mac-r{b}", i, $"u-{b}-{i}")).ToArray());
        }

        // Each host's state holds its buffered events and the header, nothing of another batch's arguments.
        for (var b = 0; b < sizes.Length; b++)
        {
            var key = new StateKey(route.Pack.Rules.Single(), $"mac-r{b}");
            Assert.Equal(sizes[b] + 1, await Db.HashLengthAsync(Keys(route).State(key)));
        }

        // Released: each host's buffered fields deleted and its partials set, and a restart reads every state back.
        await route.ReleaseQuietAsync(clock);
        var restarted = Route(route.Pack, route.Connection, route.Keys);
        for (var b = 0; b < sizes.Length; b++)
        {
            var key = new StateKey(route.Pack.Rules.Single(), $"mac-r{b}");
            Assert.Equal(sizes[b] + 1, await Db.HashLengthAsync(Keys(route).State(key)));
            var state = (await restarted.Owned.LoadAsync([(key, 0)]))[key];
            Assert.Equal((sizes[b], 0), (state.PendingSequenceCount, state.BufferedEventCount));
        }
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AStateOverItsByteLimitDeletesItsOldestPartialsFieldsInRedisAndStaysWithinTheLimit(RedisProtocol protocol)
    {
        var route = Route(Pack(maxStateBytes: 32 * 1024), await SpeakingAsync(protocol));
        var key = new StateKey(route.Pack.Rules.Single(), "mac-2");
        for (var batch = 0; batch < 20; batch++)
        {
            await route.StepAsync(Enumerable.Range(batch * 50, 50).Select(i => Shell("mac-2", i * 10L, $"u-{i}")).ToArray());
        }

        await route.ReleaseQuietAsync(clock);

        var live = (await route.Owned.LoadAsync([(key, 0)]))[key];
        var fields = await Db.HashGetAllAsync(Keys(route).State(key));
        Assert.True(route.Store.FieldsDeleted > 0);
        Assert.InRange(fields.Sum(f => (long)((byte[])f.Name!).Length + ((byte[])f.Value!).Length), 1, 32 * 1024);
        Assert.Equal(live.PendingSequenceCount + 1, fields.Length);
        Assert.InRange(live.PendingSequenceCount, 10, 999);

        // The newest user's shell is still pending in Redis, the oldest's was evicted.
        var restarted = Route(route.Pack, route.Connection, route.Keys);
        var reloaded = (await restarted.Owned.LoadAsync([(key, 0)]))[key];
        var rule = route.Pack.Rules.Single();
        var newest = InstallerEvents.CurlConnection("mac-2", InstallerEvents.T0 + InstallerEvents.Seconds(10), "c-newest");
        newest.User.Id = "u-999";
        var oldest = InstallerEvents.CurlConnection("mac-2", InstallerEvents.T0 + InstallerEvents.Seconds(11), "c-oldest");
        oldest.User.Id = "u-0";
        var matches = rule.Engine.Process(reloaded, newest).Matches.Concat(rule.Engine.Process(reloaded, oldest).Matches).Concat(rule.Engine.Flush(reloaded).Matches);
        Assert.Equal(["s-u-999", "c-newest"], Assert.Single(matches).EventIds);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AStateAnEarlierVersionStoredAsAStringIsReadAndReplacedByAHashOnItsNextWrite(RedisProtocol protocol)
    {
        var route = Route(Pack(), await SpeakingAsync(protocol));
        var rule = route.Pack.Rules.Single();
        var key = new StateKey(rule, "mac-3");
        var old = rule.Engine.CreateState("mac-3");
        rule.Engine.Process(old, Shell("mac-3", 0, "u-1"));
        rule.Engine.AdvanceWatermark(old, InstallerEvents.T0 + InstallerEvents.Seconds(1));
        await Db.StringSetAsync(Keys(route).State(key), StateFormat.WriteBlob(rule, old), TimeSpan.FromMinutes(5));

        var curl = InstallerEvents.CurlConnection("mac-3", InstallerEvents.T0 + InstallerEvents.Seconds(5), "c-1");
        curl.User.Id = "u-1";
        var reported = (await route.StepAsync(curl)).Matches;

        Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync(Keys(route).State(key)));
        var matches = reported.Concat((await route.ReleaseQuietAsync(clock)).Matches);
        Assert.Equal(["s-u-1", "c-1"], Assert.Single(matches).Match.EventIds);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ABatchOfTwentyHostsIsStoredByOneScriptCallWithEachStatesFieldsExpiryAndHeldMember(RedisProtocol protocol)
    {
        var route = Route(Pack(), await SpeakingAsync(protocol));
        // Host ids as agents may send them: the held set's members are their UTF-8 bytes.
        var hosts = Enumerable.Range(0, 18).Select(i => $"mac-{i}").Append("ümlaut-Mac 💻").Append("a}b{c:%");
        var batch = route.Router.Route(Records(hosts.Select(h => Shell(h, 0, "u-1"))));
        route.Engine.Advance(batch, await route.Owned.LoadAsync(batch.Work.Select(w => (w.Key, w.Value.Partition.Partition)).ToList()));
        var before = await ScriptCallsAsync();
        await route.Owned.CommitAsync(route.Engine.Seal(batch), batch.HeldChanges);

        Assert.Equal(1, await ScriptCallsAsync() - before);
        var held = Keys(route).Held(0);
        Assert.Equal(20, await Db.SetLengthAsync(held));
        foreach (var key in batch.Work.Keys)
        {
            Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync(Keys(route).State(key)));
            Assert.True(await Db.KeyTimeToLiveAsync(Keys(route).State(key)) > TimeSpan.Zero);
            Assert.True(await Db.SetContainsAsync(held, key.Member));
        }

        // What a new owner reads after a crash, to release them: every held state, its member as written.
        var readBack = await route.Store.ReadHeldAsync([0, 1]);
        Assert.Equal(batch.Work.Keys.Select(k => (0, k.Member)).Order(), readBack.Order());

        // Released: each shell stays as a pending partial, and every state leaves the held set, again in one call.
        before = await ScriptCallsAsync();
        await route.ReleaseQuietAsync(clock);
        Assert.Equal(1, await ScriptCallsAsync() - before);
        Assert.Equal(0, await Db.SetLengthAsync(held));
        foreach (var key in batch.Work.Keys)
        {
            Assert.Equal(2, await Db.HashLengthAsync(Keys(route).State(key))); // the partial and the header
        }
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ANewOwnerReadsTwoHundredStatesInSevenScriptCallsOfThirtyTwoAndContinuesTheirSequences(RedisProtocol protocol)
    {
        var route = Route(Pack(), await SpeakingAsync(protocol));
        var hosts = Enumerable.Range(0, 199).Select(i => $"mac-{i}").Append("ümlaut-Mac 💻").ToArray();
        var written = await route.StepAsync(hosts.Select(h => Shell(h, 0, "u-1")).ToArray());
        await route.ReleaseQuietAsync(clock);
        var never = new StateKey(route.Pack.Rules.Single(), "mac-never-seen");

        // The partition's next owner (a rebalance): nothing in memory, every state and one unknown host in one round
        // trip of calls of 32 keys each (a call's reply stays small, Redis runs one script at a time), each result
        // matched back to its own key across the calls.
        var restarted = Route(route.Pack, route.Connection, route.Keys);
        var before = await ScriptCallsAsync();
        var reloaded = await restarted.Owned.LoadAsync(written.Work.Keys.Append(never).Select(k => (k, 0)).ToList());

        Assert.Equal(7, await ScriptCallsAsync() - before);
        Assert.Equal(201, reloaded.Count);
        Assert.All(written.Work.Keys, key => Assert.Equal(1, reloaded[key].PendingSequenceCount));
        Assert.Equal(0, reloaded[never].PendingSequenceCount);

        // The states are in memory now: the new owner's curls complete the sequences the first owner started.
        var curls = hosts.Select((h, i) =>
        {
            var curl = InstallerEvents.CurlConnection(h, InstallerEvents.T0 + InstallerEvents.Seconds(5), $"c-{i}");
            curl.User.Id = "u-1";
            return curl;
        }).ToArray();
        var reads = restarted.Owned.StoreReads;
        var matches = (await restarted.StepAsync(curls)).Matches.Concat((await restarted.ReleaseQuietAsync(clock)).Matches).ToList();

        Assert.Equal(reads, restarted.Owned.StoreReads);
        Assert.Equal(hosts.Length, matches.Count);
        Assert.Equal(["s-u-1", "c-7"], matches.Single(m => m.Match.HostId == "mac-7").Match.EventIds);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task OnARedisClusterABatchWhoseHostsSpanSlotsStoresEveryStateAndTheHeldSet(RedisProtocol protocol)
    {
        var clustered = await SpeakingAsync(protocol, cluster.Endpoints);
        var db = clustered.GetDatabase();
        var route = Route(Pack(), clustered, ClusterPrefix(protocol));
        var batch = await route.StepAsync(Enumerable.Range(0, 30).Select(i => Shell($"mac-{i}", 0, "u-1")).ToArray());

        Assert.True(batch.Work.Keys.Select(k => clustered.HashSlot(Keys(route).State(k))).Distinct().Count() > 1);
        var held = Keys(route).Held(0);
        Assert.Equal(30, await db.SetLengthAsync(held));
        foreach (var key in batch.Work.Keys)
        {
            Assert.Equal(RedisType.Hash, await db.KeyTypeAsync(Keys(route).State(key)));
            Assert.True(await db.KeyTimeToLiveAsync(Keys(route).State(key)) > TimeSpan.Zero);
        }

        await route.ReleaseQuietAsync(clock);
        Assert.Equal(0, await db.SetLengthAsync(held));
        var restarted = Route(route.Pack, clustered, route.Keys);
        var reloaded = await restarted.Owned.LoadAsync(batch.Work.Keys.Select(k => (k, 0)).ToList());
        Assert.All(reloaded.Values, state => Assert.Equal(1, state.PendingSequenceCount));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AHandoffReplacesTheOlderOneWithItsExpiryAndTheNextOwnerReadsNoMoreThanItAsksForWhileTheWholeSetGoes(RedisProtocol protocol)
    {
        var route = Route(Pack(), await SpeakingAsync(protocol));
        var handoff = Keys(route).Handoff(0);
        await route.Store.WriteHandoffAsync(new Dictionary<int, IReadOnlyList<string>> { [0] = ["old-1", "old-2"] }, TimeSpan.FromMinutes(10));
        var members = Enumerable.Range(0, 2_500).Select(i => $"m-{i}").ToList();
        await route.Store.WriteHandoffAsync(new Dictionary<int, IReadOnlyList<string>> { [0] = members, [1] = ["p1"] }, TimeSpan.FromMinutes(10));

        Assert.Equal(2_500, await Db.SetLengthAsync(handoff));
        Assert.False(await Db.SetContainsAsync(handoff, "old-1"));
        Assert.InRange(await Db.KeyTimeToLiveAsync(handoff) ?? TimeSpan.Zero, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));

        var taken = await route.Store.TakeHandoffAsync([0, 1], 100);
        Assert.Equal(100, taken.Count(t => t.Partition == 0));
        Assert.Equal(100, taken.Where(t => t.Partition == 0).Select(t => t.Member).Distinct().Count());
        Assert.All(taken.Where(t => t.Partition == 0), t => Assert.Contains(t.Member, members));
        Assert.Equal([(1, "p1")], taken.Where(t => t.Partition == 1));
        Assert.False(await Db.KeyExistsAsync(handoff));

        // A partition given up with nothing in memory leaves no older handoff behind for its next owner.
        await route.Store.WriteHandoffAsync(new Dictionary<int, IReadOnlyList<string>> { [2] = ["stale"] }, TimeSpan.FromMinutes(10));
        await route.Store.WriteHandoffAsync(new Dictionary<int, IReadOnlyList<string>> { [2] = [] }, TimeSpan.FromMinutes(10));
        Assert.False(await Db.KeyExistsAsync(Keys(route).Handoff(2)));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task OnARedisClusterANewOwnerReadsHostsSpreadOverEveryNodeEachIntoItsOwnState(RedisProtocol protocol)
    {
        var clustered = await SpeakingAsync(protocol, cluster.Endpoints);
        var route = Route(Pack(), clustered, ClusterPrefix(protocol));

        // Host i holds i % 7 + 1 pending shells, the newest at i ms: every state differs from its neighbours.
        // Not the other cluster test's hosts: the fixture's cluster outlives each test.
        var hosts = Enumerable.Range(0, 150).Select(i => $"spread-{i}").ToArray();
        var events = hosts.SelectMany((h, i) => Enumerable.Range(0, (i % 7) + 1).Select(u => Shell(h, i - u, $"u-{u}"))).ToArray();
        var batch = await route.StepAsync(events);
        await route.ReleaseQuietAsync(clock);
        var keys = batch.Work.Keys.ToList();
        var nodes = keys.Select(k => clustered.GetServer(clustered.GetEndPoints().First()).ClusterConfiguration!.GetBySlot(Keys(route).State(k))!.EndPoint).Distinct().Count();
        Assert.Equal(RedisClusterServer.PrimaryCount, nodes);
        Assert.True(keys.Select(k => clustered.HashSlot(Keys(route).State(k))).Distinct().Count() > 100);

        // One load of every host, in a shuffled order with an unknown host among them, as a first batch after a rebalance.
        var never = new StateKey(route.Pack.Rules.Single(), "mac-never-seen");
        var wanted = keys.Append(never).OrderBy(k => k.HostId.GetHashCode(StringComparison.Ordinal)).Select(k => (k, 0)).ToList();
        var restarted = Route(route.Pack, clustered, route.Keys);
        var reloaded = await restarted.Owned.LoadAsync(wanted);

        Assert.Equal(hosts.Length + 1, reloaded.Count);
        Assert.Equal(hosts.Length + 1, restarted.Owned.StoreReads);
        for (var i = 0; i < hosts.Length; i++)
        {
            var state = reloaded[new StateKey(route.Pack.Rules.Single(), hosts[i])];
            Assert.Equal((hosts[i], (i % 7) + 1, (long?)(InstallerEvents.T0 + (i * 1_000_000L))), (state.HostId, state.PendingSequenceCount, state.LatestTimestamp));
        }

        Assert.Equal(0, reloaded[never].PendingSequenceCount);
    }

    private IDatabase Db => connection.GetDatabase();

    private static CorrelatorKeys Keys(StoreRoute route) => route.Keys;

    /// <summary>A key prefix per protocol on the cluster, which every test of the class shares.</summary>
    private static string ClusterPrefix(RedisProtocol protocol) => $"vigil-{protocol}".ToLowerInvariant();

    private async Task<long> MemoryUsageAsync(StoreRoute route, StateKey key) =>
        (long)await Db.ExecuteAsync("MEMORY", "USAGE", Keys(route).State(key), "SAMPLES", "0");

    private static AnalyticPack Pack(int maxStateBytes = 1 << 20) =>
        AnalyticPack.Load(CorrelatorHarness.Analytic, CorrelatorHarness.RulesFolder, new EngineDefaults(TimeSpan.FromSeconds(2)) { MaxStateBytes = maxStateBytes, ReportEarly = true });

    /// <summary>An installer's shell under its own user.id (its own pending sequence), <paramref name="ms"/> after T0.</summary>
    private static TelemetryEvent Shell(string host, long ms, string user)
    {
        var e = InstallerEvents.ShellFromInstaller(host, InstallerEvents.T0 + (ms * 1_000_000L), $"s-{user}");
        e.User.Id = user;
        e.Process.EntityId = $"bash-{user}";
        return e;
    }

    /// <summary>Script calls (EVAL and EVALSHA) the standalone server has run since it started.</summary>
    private async Task<long> ScriptCallsAsync() =>
        (await redis.CommandCallsAsync(TestContext.Current.CancellationToken)).Where(c => c.Key.StartsWith("eval", StringComparison.Ordinal)).Sum(c => c.Value);

    private static List<ConsumedRecord<TelemetryEvent>> Records(IEnumerable<TelemetryEvent> events) =>
        events.Select((e, i) => new ConsumedRecord<TelemetryEvent>("telemetry", 0, i, e.Host.Id, DateTimeOffset.UnixEpoch, e)).ToList();

    /// <summary>
    /// The store's connection as a correlator opens it, speaking <paramref name="protocol"/> (the tests check what it
    /// wrote through <see cref="Db"/>, their own connection); on <paramref name="cluster"/> when given.
    /// </summary>
    private async Task<IConnectionMultiplexer> SpeakingAsync(RedisProtocol protocol, IReadOnlyList<string>? cluster = null)
    {
        var connector = new RedisConnector(new RedisOptions
        {
            Endpoints = [.. cluster ?? [redis.Endpoint]],
            Mode = cluster is null ? RedisMode.Standalone : RedisMode.Cluster,
            Protocol = protocol,
        });
        connectors.Add(connector);
        var speaking = await connector.ConnectAsync(TestContext.Current.CancellationToken);
        await RedisProtocolAssert.SpeaksAsync(speaking, protocol);
        return speaking;
    }

    private StoreRoute Route(AnalyticPack pack, IConnectionMultiplexer on, string prefix = "vigil") =>
        Route(pack, on, new CorrelatorKeys(new RedisKeys(prefix), pack.Analytic));

    private StoreRoute Route(AnalyticPack pack, IConnectionMultiplexer on, CorrelatorKeys keys)
    {
        var options = new CorrelatorOptions { Analytic = pack.Analytic };
        var metrics = new CorrelatorMetrics(IsolatedMetrics.Factory());
        var store = new CorrelationStateStore(on, keys, options, metrics);
        return new StoreRoute(store, new OwnedStates(store, clock), new CorrelationEngine(pack, clock, metrics), new EventRouter(pack, metrics), pack, on, keys);
    }

    private sealed record StoreRoute(
        CorrelationStateStore Store, OwnedStates Owned, CorrelationEngine Engine, EventRouter Router, AnalyticPack Pack, IConnectionMultiplexer Connection, CorrelatorKeys Keys)
    {
        public async Task<CorrelationBatch> StepAsync(params TelemetryEvent[] events)
        {
            var batch = Router.Route(Records(events));
            var states = await Owned.LoadAsync(batch.Work.Select(w => (w.Key, w.Value.Partition.Partition)).ToList());
            Engine.Advance(batch, states);
            await Owned.CommitAsync(Engine.Seal(batch), batch.HeldChanges);
            return batch;
        }

        public async Task<CorrelationBatch> ReleaseQuietAsync(ManualTime clock)
        {
            clock.Now += TimeSpan.FromSeconds(3);
            var taken = Engine.Held.TakeDue(clock.GetUtcNow());
            var batch = new CorrelationBatch();
            Engine.Release(batch, taken, await Owned.LoadAsync(taken.Select(t => (t.Key, t.Partition.Partition)).ToList()));
            await Owned.CommitAsync(Engine.Seal(batch), batch.HeldChanges);
            return batch;
        }
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
