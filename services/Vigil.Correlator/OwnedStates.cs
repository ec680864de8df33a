using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;

namespace Vigil.Correlator;

/// <summary>
/// The (rule, host) states of the partitions this correlator owns, kept in memory and written through to the
/// <see cref="ICorrelationStateStore"/>. A consumer group gives each partition to one member, and a host's events all
/// land on one partition, so while a partition is owned no one else writes its states: the memory copy is the store's
/// copy, and a hot host costs no read. The store stays the source of truth: a partition's states are dropped from
/// memory when it is revoked or lost. An owner giving a partition up names the states it had in memory (the handoff);
/// the next owner loads those, and the states left holding events, as it is assigned, and reads any other state the
/// first time a batch needs it. A state the engine left empty is not in the store at all (its write deleted it), so
/// memory knows it past its retention too (<see cref="KnownEmptyRetention"/>): a host whose relevant events come
/// further apart than a rule's retention costs no read each time. A batch that fails after the engine changed its
/// states forgets them, so its retry reads the store.
/// Memory holds at most <paramref name="limit"/> states: over it, the tenth soonest to expire (least recently written) leaves memory (not
/// the store), so a fleet larger than the process planned for costs reads, never unbounded memory.
/// Only touched under the handler's lock, but for the pooled arrays of states that left memory, which the thread that
/// finishes a write may give back.
/// </summary>
public sealed class OwnedStates(ICorrelationStateStore store, TimeProvider clock, int limit = OwnedStates.DefaultLimit, ILogger<OwnedStates>? logger = null, int preloadLimit = OwnedStates.DefaultPreloadLimit)
{
    /// <summary>The default bound on states in memory: about 460 MB at ~4.6 KB per state holding one waiting event (docs/benchmarks.md).</summary>
    public const int DefaultLimit = 100_000;

    /// <summary>
    /// How much longer than its retention memory keeps knowing that an untouched empty state is empty, before a sweep
    /// drops it: an empty state is absent from the store, so knowing it saves a read for each host whose relevant events
    /// come minutes apart. Past its retention only that is kept (a dictionary entry, no state object), within the memory
    /// limit.
    /// </summary>
    public static readonly TimeSpan KnownEmptyRetention = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The default bound on states loaded as partitions are assigned: two slices, two round trips. The load runs in the
    /// assignment callback, which holds up consuming (and the handler's lock), so it is kept a short head start; the
    /// rest are read as batches need them.
    /// </summary>
    public const int DefaultPreloadLimit = 2 * PreloadSlice;

    /// <summary>
    /// How long a handoff waits for the partition's next owner: a rebalance assigns it within seconds, and a partition
    /// nobody takes leaves nothing behind for long.
    /// </summary>
    public static readonly TimeSpan HandoffExpiry = TimeSpan.FromMinutes(10);

    // States loaded at an assignment per store read: each read is one round trip of calls of 32 keys, and its replies
    // are held in memory at once, so a partition of many hosts loads in slices rather than one huge reply.
    private const int PreloadSlice = 4_096;

    private readonly int limit = limit > 0 ? limit : throw new ArgumentOutOfRangeException(nameof(limit), limit, "Correlator:LiveStateLimit must be positive.");
    private readonly int preloadLimit = preloadLimit >= 0 ? preloadLimit : throw new ArgumentOutOfRangeException(nameof(preloadLimit), preloadLimit, "Correlator:AssignmentPreloadLimit must not be negative.");
    private readonly ILogger log = logger ?? NullLogger<OwnedStates>.Instance;
    private readonly Dictionary<StateKey, Entry> live = [];

    // A load's keys not in memory, reused by the next load (only touched under the handler's lock).
    private readonly List<(StateKey Key, int Partition)> misses = [];
    private readonly List<StateKey> missKeys = [];

    // The last write started: the next one is sent after it (see WriteThrough).
    private Task writing = Task.CompletedTask;

    // States that left memory while a write was in flight (see LoadAsync); emptied once no write is.
    private readonly HashSet<StateKey> leftWhileWriting = [];

    // Pooled arrays of states that left memory, not yet given back (see Leave); on the handler's thread.
    private readonly List<(HeldBufferPool Pool, byte[] Array)> leaving = [];

    // Arrays of states that left memory while writes were unfinished, each lot with the number of the last write started
    // by then, given back once every write up to it has finished (see ReturnLeft); under writesGate, with the fields below.
    private readonly Queue<(long After, List<(HeldBufferPool Pool, byte[] Array)> Arrays)> parked = new();
    private readonly Lock writesGate = new();

    // Writes are numbered as they start; those not yet finished (sent or not), whatever their chain (RestartWrites
    // starts a new one).
    private long writesStarted;
    private readonly SortedSet<long> unfinished = [];

    // Set when the store failed a write it was sent, until the handler has undone every batch it may belong to
    // (WritesSettled, AbandonWrites): a store client that gave up waiting may still send it, reading its arrays.
    private bool sendFailed;

    /// <summary>States held in memory.</summary>
    public int Count => live.Count;

    /// <summary>How many states left memory to keep it within its limit, since start.</summary>
    public long ShedCount { get; private set; }

    /// <summary>How many keys were read from the store (misses) since start.</summary>
    public long StoreReads { get; private set; }

    /// <summary>
    /// How many states memory knew to be empty when a batch needed them past their retention, so they started over
    /// without a store read, since start.
    /// </summary>
    public long KnownEmptyRenewals { get; private set; }

    /// <summary>How many states were loaded as their partitions were assigned, since start.</summary>
    public long Preloaded { get; private set; }

    /// <summary>
    /// The states of <paramref name="wanted"/> (with the partition of each): from memory where held, the rest from the
    /// store in one round trip; absent, expired or unreadable ones start empty.
    /// </summary>
    public async Task<Dictionary<StateKey, HostState<TelemetryEvent>>> LoadAsync(IReadOnlyCollection<(StateKey Key, int Partition)> wanted)
    {
        var states = new Dictionary<StateKey, HostState<TelemetryEvent>>(wanted?.Count ?? 0);
        await LoadAsync(wanted!, states).ConfigureAwait(false);
        return states;
    }

    /// <summary>
    /// As <see cref="LoadAsync(IReadOnlyCollection{ValueTuple{StateKey, int}})"/>, into <paramref name="states"/> (a
    /// batch's reused dictionary): a batch whose states are all in memory completes without allocating.
    /// </summary>
    public Task LoadAsync(IReadOnlyCollection<(StateKey Key, int Partition)> wanted, Dictionary<StateKey, HostState<TelemetryEvent>> states) =>
        LoadAsync(wanted, states, cold: false);

    private async Task LoadAsync(IReadOnlyCollection<(StateKey Key, int Partition)> wanted, Dictionary<StateKey, HostState<TelemetryEvent>> states, bool cold)
    {
        try
        {
            await LoadOrReadAsync(wanted, states, cold).ConfigureAwait(false);
        }
        finally
        {
            // The arrays of states a load replaced or shed, even when it failed part way.
            ReturnLeft();
        }
    }

    private async Task LoadOrReadAsync(IReadOnlyCollection<(StateKey Key, int Partition)> wanted, Dictionary<StateKey, HostState<TelemetryEvent>> states, bool cold)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(states);
        var now = clock.GetUtcNow();
        misses.Clear();
        var afterWrites = false;
        foreach (var (key, partition) in wanted)
        {
            // An entry tagged with another partition was loaded for an earlier owner of the host's events (the
            // telemetry was repartitioned): a miss, so the store copy is read and tagged anew.
            if (live.TryGetValue(key, out var entry))
            {
                if (entry.Partition == partition)
                {
                    if (entry.ExpiresAt > now && entry.State is { } held)
                    {
                        states[key] = held;
                        continue;
                    }

                    if (KnownEmpty(key, entry.State))
                    {
                        // Past its retention, and empty: the store holds nothing of it (its last write deleted it, or it
                        // was never written), so a read would find no state. It starts over, as after such a read.
                        var fresh = key.Rule.Engine.CreateState(key.HostId);
                        Leave(entry.State);
                        states[key] = fresh;
                        live[key] = new Entry(fresh, partition, now + Retention(key), Cold: false);
                        KnownEmptyRenewals++;
                        continue;
                    }
                }

                afterWrites = true;
            }
            else if (leftWhileWriting.Count > 0 && leftWhileWriting.Contains(key))
            {
                afterWrites = true;
            }

            misses.Add((key, partition));
        }

        if (writing.IsCompleted)
        {
            leftWhileWriting.Clear();
        }
        else if (afterWrites)
        {
            // A state memory held (expired there, or left it) may be in the write in flight: the store is read after it,
            // so the read sees what memory had. A state memory never held (a new host) is read at once.
            await WaitForWritesAsync().ConfigureAwait(false);
            leftWhileWriting.Clear();
        }

        if (misses.Count == 0)
        {
            return;
        }

        missKeys.Clear();
        foreach (var (key, _) in misses)
        {
            missKeys.Add(key);
        }

        var stored = await store.ReadAsync(missKeys).ConfigureAwait(false);
        StoreReads += misses.Count;
        for (var i = 0; i < misses.Count; i++)
        {
            var (key, partition) = misses[i];
            var state = stored[i] is { } found ? Read(key, found) : key.Rule.Engine.CreateState(key.HostId);
            states[key] = state;
            if (live.TryGetValue(key, out var replaced))
            {
                // Expired in memory, or of another partition: the store's copy (read after any write of it) replaces it.
                Leave(replaced.State);
            }

            live[key] = new Entry(state, partition, now + Retention(key), cold);
        }

        misses.Clear();
        missKeys.Clear();
        if (live.Count > limit)
        {
            Shed(states);
        }
    }

    /// <summary>
    /// Writes the changed states and held-set changes through to the store in one round trip; the memory copies are
    /// already the changed objects, so they only get their new expiry. Completes once the store has them; when the write
    /// fails, the caller puts memory back (<see cref="Forget"/>), then says so (<see cref="WritesSettled"/>), and the next
    /// write is sent regardless (the serial form of <see cref="WriteThrough"/>).
    /// </summary>
    public async Task CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyCollection<HeldChange> held)
    {
        try
        {
            await WriteThrough(writes, held).ConfigureAwait(false);
        }
        catch
        {
            RestartWrites();
            throw;
        }
    }

    /// <summary>
    /// Starts writing the changed states and held-set changes through to the store, after every write started before it
    /// (one at a time, in order), and returns the write: it completes once the store has them. Memory already holds the
    /// changed objects; they get their new expiry now. A write whose predecessor failed fails too without being sent, so
    /// the store never holds a later batch's changes without an earlier one's (each write sends only the fields its batch
    /// changed); the caller puts memory back (<see cref="Forget"/>) for every failed write and then calls
    /// <see cref="AbandonWrites"/> (or <see cref="RestartWrites"/>, once no write is in flight). <paramref name="writes"/> and <paramref name="held"/> are read when the write is sent,
    /// so they must stay unchanged until it completes. A write <paramref name="after"/> something (the batch's alerts
    /// being published) is sent only once that completed too, and fails unsent with it.
    /// </summary>
    public Task WriteThrough(IReadOnlyList<StateWrite> writes, IReadOnlyCollection<HeldChange> held, Task? after = null)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(held);
        var now = clock.GetUtcNow();
        foreach (var write in writes)
        {
            if (live.TryGetValue(write.Key, out var entry))
            {
                // An emptied state stays in memory as known-empty, so the host's next event needs no read either. Its
                // expiry counts from now, a little before the store's (which counts from when the write lands).
                live[write.Key] = entry with { ExpiresAt = now + write.Expiry, Cold = false };
            }
        }

        long number;
        lock (writesGate)
        {
            number = ++writesStarted;
            unfinished.Add(number);
        }

        var sent = WriteAfterAsync(number, writing, after, writes, held);
        writing = sent;
        return sent;
    }

    /// <summary>Whether a write is still in flight.</summary>
    public bool Writing => !writing.IsCompleted;

    /// <summary>
    /// After the caller put memory back for every failed write, with no write of a batch still unsettled: the next write
    /// no longer follows them. Only when the last write started has failed (every earlier one has then completed).
    /// </summary>
    public void RestartWrites()
    {
        if (writing.IsFaulted || writing.IsCanceled)
        {
            writing = Task.CompletedTask;
        }
    }

    /// <summary>
    /// After the caller put memory back for a failed write and every write started after it: those still in flight fail
    /// without being sent (each follows a failed one), so the next write need not wait for them.
    /// </summary>
    public void AbandonWrites()
    {
        writing = Task.CompletedTask;
        WritesSettled();
    }

    /// <summary>
    /// Says every batch whose write failed has been undone (its states forgotten): arrays of states that leave memory
    /// from now on may go back to their pool again once the writes started before they left have finished. Until then,
    /// after a failed write, they are left to the garbage collector.
    /// </summary>
    public void WritesSettled()
    {
        lock (writesGate)
        {
            sendFailed = false;
        }
    }

    private async Task WriteAfterAsync(long number, Task previous, Task? after, IReadOnlyList<StateWrite> writes, IReadOnlyCollection<HeldChange> held)
    {
        try
        {
            await SendAfterAsync(number, previous, after, writes, held).ConfigureAwait(false);
        }
        finally
        {
            List<(HeldBufferPool Pool, byte[] Array)>? due = null;
            lock (writesGate)
            {
                unfinished.Remove(number);
                var oldest = unfinished.Count == 0 ? long.MaxValue : unfinished.Min;
                while (parked.TryPeek(out var lot) && lot.After < oldest)
                {
                    parked.Dequeue();
                    (due ??= []).AddRange(lot.Arrays);
                }
            }

            if (due is not null)
            {
                Give(due);
            }
        }
    }

    private async Task SendAfterAsync(long number, Task previous, Task? after, IReadOnlyList<StateWrite> writes, IReadOnlyCollection<HeldChange> held)
    {
        if (!previous.IsCompletedSuccessfully)
        {
            try
            {
                await previous.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // What this write waited for may fail too; its owner is told through this write, so it is observed here.
                _ = after?.Settled();
                throw new StateWriteSkippedException(e);
            }
        }

        if (after is not null)
        {
            await after.ConfigureAwait(false);
        }

        try
        {
            await store.WriteAsync(writes, held).ConfigureAwait(false);
        }
        catch
        {
            lock (writesGate)
            {
                // Lots parked before this write started held no state it writes: they still go back in order.
                sendFailed = true;
                var count = parked.Count;
                for (var i = 0; i < count; i++)
                {
                    var lot = parked.Dequeue();
                    if (lot.After < number)
                    {
                        parked.Enqueue(lot);
                    }
                }
            }

            throw;
        }

        foreach (var write in writes)
        {
            // Only now that the store has them: the arrays of events the write no longer needs are reused.
            write.Changes?.Stored();
            write.Released?.Stored();
        }
    }

    /// <summary>Waits for the writes in flight, if any (their outcome is their owners').</summary>
    public async Task WaitForWritesAsync()
    {
        try
        {
            await writing.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }
    }

    /// <summary>
    /// The states of <paramref name="partitions"/> a previous owner left holding events (recorded in the store), for the
    /// rules among <paramref name="rules"/> (by <see cref="StateKey.RuleTag"/>); members of edited or removed rules are skipped.
    /// </summary>
    public async Task<IReadOnlyList<(int Partition, StateKey Key)>> HeldByPreviousOwnerAsync(IReadOnlyCollection<int> partitions, IReadOnlyDictionary<string, Vigil.Detection.CompiledRule> rules)
    {
        var held = new List<(int, StateKey)>();
        foreach (var (partition, member) in await store.ReadHeldAsync(partitions).ConfigureAwait(false))
        {
            if (StateKey.Parse(member, rules) is { } key)
            {
                held.Add((partition, key));
            }
        }

        return held;
    }

    /// <summary>
    /// Records which states of <paramref name="partitions"/> (given up) are in memory and not empty, for the next owner
    /// to load as it is assigned them. Only a hint: the next owner reads the states themselves from the store.
    /// </summary>
    public async Task HandOverAsync(IReadOnlyCollection<int> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var now = clock.GetUtcNow();
        // Every partition given up gets a list, empty or not, so none keeps a list from an earlier handoff.
        var members = partitions.ToDictionary(p => p, IReadOnlyList<string> (_) => new List<string>());
        foreach (var (key, entry) in live)
        {
            if (entry.ExpiresAt > now && entry.State is { } state && partitions.Contains(entry.Partition) && key.Rule.Engine.ExpiresAt(state) is not null)
            {
                ((List<string>)members[entry.Partition]).Add(key.Member);
            }
        }

        await store.WriteHandoffAsync(members, HandoffExpiry).ConfigureAwait(false);
    }

    /// <summary>
    /// The states a previous owner of <paramref name="partitions"/> had in memory when it gave them up (taken from the
    /// store: read once), for the rules among <paramref name="rules"/>; members of edited or removed rules are skipped.
    /// </summary>
    public async Task<IReadOnlyList<(int Partition, StateKey Key)>> HandedOverAsync(IReadOnlyCollection<int> partitions, IReadOnlyDictionary<string, Vigil.Detection.CompiledRule> rules)
    {
        // No more than a preload can use: the lists are read by that count and deleted whole.
        var room = PreloadRoom;
        var handed = new List<(int, StateKey)>();
        foreach (var (partition, member) in await store.TakeHandoffAsync(partitions, room).ConfigureAwait(false))
        {
            if (handed.Count >= room)
            {
                break;
            }

            if (StateKey.Parse(member, rules) is { } key)
            {
                handed.Add((partition, key));
            }
        }

        return handed;
    }

    /// <summary>
    /// How many states an assignment may load: at most the preload limit, and no more than keeps a tenth of the memory
    /// limit free, so the first batch's misses do not at once make memory shed.
    /// </summary>
    public int PreloadRoom => Math.Max(0, Math.Min(preloadLimit, limit - (limit / 10) - live.Count));

    /// <summary>
    /// Loads <paramref name="wanted"/> (states of newly assigned partitions) from the store into memory, at most
    /// <see cref="PreloadRoom"/>, in slices of <see cref="PreloadSlice"/>: the first batches then need no read for them.
    /// A state the store no longer holds is known empty. Loaded states leave memory first when it sheds, until a batch
    /// writes them (they were not written recently). Returns how many were loaded.
    /// </summary>
    public async Task<int> PreloadAsync(IEnumerable<(StateKey Key, int Partition)> wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var room = PreloadRoom;
        var now = clock.GetUtcNow();
        var slice = new List<(StateKey Key, int Partition)>();
        var seen = new HashSet<StateKey>();
        var loaded = 0;
        var into = new Dictionary<StateKey, HostState<TelemetryEvent>>();
        foreach (var (key, partition) in wanted)
        {
            if (loaded + slice.Count >= room)
            {
                break;
            }

            if (seen.Add(key) && !(live.TryGetValue(key, out var entry) && entry.ExpiresAt > now))
            {
                slice.Add((key, partition));
            }

            if (slice.Count == PreloadSlice)
            {
                loaded += await PreloadSliceAsync(slice, into).ConfigureAwait(false);
            }
        }

        loaded += await PreloadSliceAsync(slice, into).ConfigureAwait(false);
        Preloaded += loaded;
        return loaded;
    }

    private async Task<int> PreloadSliceAsync(List<(StateKey Key, int Partition)> slice, Dictionary<StateKey, HostState<TelemetryEvent>> into)
    {
        if (slice.Count == 0)
        {
            return 0;
        }

        await LoadAsync(slice, into, cold: true).ConfigureAwait(false);
        var count = slice.Count;
        slice.Clear();
        into.Clear();
        return count;
    }

    /// <summary>
    /// Forgets states a failed batch may have changed without storing them: the retry reads them from the store. Their
    /// pooled arrays are left to the garbage collector: a failed write may still be queued to the store, reading them.
    /// </summary>
    public void Forget(IEnumerable<StateKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            Remove(key, keepArrays: false);
        }
    }

    /// <summary>Drops the states of <paramref name="partitions"/> (revoked, lost, or newly assigned after someone else owned them).</summary>
    public void Drop(IReadOnlyCollection<int> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 0 || live.Count == 0)
        {
            return;
        }

        var set = partitions as IReadOnlySet<int> ?? partitions.ToHashSet();
        foreach (var key in live.Where(e => set.Contains(e.Value.Partition)).Select(e => e.Key).ToList())
        {
            Remove(key);
        }

        ReturnLeft();
    }

    // A state leaving memory while a write is in flight may be in that write: its next read must wait for it.
    private void Remove(StateKey key, bool keepArrays = true)
    {
        if (!live.Remove(key, out var entry))
        {
            return;
        }

        if (keepArrays)
        {
            Leave(entry.State);
        }

        if (!writing.IsCompleted)
        {
            leftWhileWriting.Add(key);
        }
    }

    private long returnedOnLeaving;

    /// <summary>Pooled arrays given back since start from states that left memory (dropped, swept, shed or replaced).</summary>
    public long ArraysReturnedOnLeaving => Interlocked.Read(ref returnedOnLeaving);

    // A state leaving memory for good takes its events' pooled arrays with it (a pending partial's for up to its maxspan):
    // they go back to the pool (ReturnLeft), so dropping a partition's or a swept host's states costs the next events no
    // new arrays.
    private void Leave(HostState<TelemetryEvent>? state) => state?.TakeArrays(leaving);

    /// <summary>
    /// Gives back the arrays of states that left memory: at once when no write is unfinished, else once every write
    /// started so far has finished (one may read them; a state that left is in no later write). After a failed write,
    /// until the handler has undone its batch (<see cref="WritesSettled"/>), they are left to the garbage collector: the
    /// store client may still send a write it gave up on.
    /// </summary>
    private void ReturnLeft()
    {
        if (leaving.Count == 0)
        {
            return;
        }

        bool now;
        lock (writesGate)
        {
            now = !sendFailed && unfinished.Count == 0;
            if (!sendFailed && !now)
            {
                parked.Enqueue((writesStarted, [.. leaving]));
            }
        }

        if (now)
        {
            Give(leaving);
        }

        leaving.Clear();
    }

    // On the handler's thread, or on the one that finished a write (outside writesGate: the pool takes its own lock).
    private void Give(List<(HeldBufferPool Pool, byte[] Array)> arrays)
    {
        HeldBufferPool.ReturnAll(arrays);
        Interlocked.Add(ref returnedOnLeaving, arrays.Count);
        arrays.Clear();
    }

    /// <summary>
    /// Drops states whose store copy has expired by now (nothing touched them for their retention). Of an empty state,
    /// which the store does not hold at all, memory keeps only that it is empty (no state object), for
    /// <see cref="KnownEmptyRetention"/> more: a host whose relevant events come further apart than the retention then
    /// costs no store read for each of them.
    /// </summary>
    public void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (key, entry) in live.Where(e => e.Value.ExpiresAt <= now).ToList())
        {
            if (entry.ExpiresAt + KnownEmptyRetention > now && KnownEmpty(key, entry.State))
            {
                if (entry.State is not null)
                {
                    Leave(entry.State);
                    live[key] = entry with { State = null };
                }

                continue;
            }

            Remove(key);
        }

        ReturnLeft();
    }

    // Nothing buffered, pending or awaiting (null: a sweep kept only that): the engine's batch deletes such a state from
    // the store (CorrelationEngine.Seal).
    private static bool KnownEmpty(StateKey key, HostState<TelemetryEvent>? state) => state is null || key.Rule.Engine.ExpiresAt(state) is null;

    /// <summary>
    /// States past their retention (known empty), then states loaded at an assignment and not written since, then those
    /// soonest to expire (least recently written), leave memory first; those of the batch at hand stay for its commit.
    /// </summary>
    private void Shed(Dictionary<StateKey, HostState<TelemetryEvent>> inUse)
    {
        var excess = live.Count - (limit - (limit / 10));
        var now = clock.GetUtcNow();
        var victims = live
            .Where(e => !inUse.ContainsKey(e.Key))
            .OrderByDescending(e => e.Value.ExpiresAt <= now)
            .ThenByDescending(e => e.Value.Cold)
            .ThenBy(e => e.Value.ExpiresAt)
            .Take(excess)
            .Select(e => e.Key)
            .ToList();
        foreach (var key in victims)
        {
            Remove(key);
        }

        ShedCount += victims.Count;
        log.LogDebug("{Count} states left memory to keep it within {Limit}; they are read from the store when next needed", victims.Count, limit);
    }

    // A state read from the store lives, as far as memory knows, as long as if it had been written now: its store copy
    // may expire sooner, and the next write puts it back.
    private static TimeSpan Retention(StateKey key) => key.Rule.Engine.StateRetention + CorrelationEngine.ProcessingSlack;

    private HostState<TelemetryEvent> Read(StateKey key, StoredState stored)
    {
        try
        {
            return StateFormat.Read(key.Rule, stored);
        }
        catch (InvalidDataException e)
        {
            // The fingerprint in the key keeps states of edited rules apart, so this is corruption: start over (the new
            // state's first write replaces whatever the store holds).
            log.LogWarning("Discarding unreadable state of rule {Rule} for host {Host}: {Reason}", key.RuleId, key.HostId, e.Message);
            return key.Rule.Engine.CreateState(key.HostId);
        }
    }

    // Cold: loaded at an assignment and not written since; its store copy may expire much sooner than ExpiresAt says.
    // State: null once a sweep found it empty past its retention (see Sweep): only that it is empty is kept.
    private readonly record struct Entry(HostState<TelemetryEvent>? State, int Partition, DateTimeOffset ExpiresAt, bool Cold);
}

/// <summary>A state write that was not sent because a write started before it failed: the store never saw it.</summary>
public sealed class StateWriteSkippedException(Exception earlier)
    : Exception("Not written: an earlier state write of this correlator failed, and the store must not hold this batch's changes without that one's.", earlier);
