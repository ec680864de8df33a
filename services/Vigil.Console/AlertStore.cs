using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Redis;

namespace Vigil.Console;

/// <summary>
/// Alerts and their triage in Redis, bounded to <see cref="ConsoleOptions.MaxAlerts"/>. Layout (all under one hash tag,
/// <c>{console}</c>, so the multi-key commands below also run on a Redis Cluster):
/// <list type="bullet">
/// <item><c>alert:&lt;id&gt;</c> hash: <c>pb</c> (the alert's protobuf bytes), <c>status</c>, <c>assignee</c>, <c>updated</c>,
/// <c>score</c> (detection time, ms) and <c>dims</c> (the index keys it is in, for eviction);</item>
/// <item><c>idx:all</c> and <c>idx:&lt;dimension&gt;:&lt;value&gt;</c> sorted sets of alert ids scored by detection time, so a
/// filtered page is one ZREVRANGE (or a ZINTERSTORE of the filter's sets first), never a scan;</item>
/// <item><c>history:&lt;id&gt;</c> list: the triage history, appended to and never rewritten;</item>
/// <item><c>values:&lt;dimension&gt;</c> sorted set: recently seen values, for the filter's suggestions.</item>
/// </list>
/// </summary>
public sealed class AlertStore(IConnectionMultiplexer redis, RedisKeys keys, ConsoleOptions options, TimeProvider time, ConsoleMetrics metrics)
{
    private const string Tag = "console";
    private const int MaxSuggestions = 200;

    /// <summary>Stores a new alert once: replays (the consumer is at-least-once) leave the stored alert and its triage alone.</summary>
    private static readonly LuaScript AddScript = LuaScript.Prepare(
        """
        if redis.call('EXISTS', @alert) == 1 then return 0 end
        redis.call('HSET', @alert, 'pb', @pb, 'status', @status, 'score', @score, 'dims', @dims)
        for key in string.gmatch(@dims, '[^\n]+') do redis.call('ZADD', key, @score, @id) end
        return 1
        """);

    private IDatabase Db => redis.GetDatabase();

    private RedisKey AlertKey(string id) => keys.Fleet(Tag, "alert", id);

    private RedisKey HistoryKey(string id) => keys.Fleet(Tag, "history", id);

    private RedisKey AllKey => keys.Fleet(Tag, "idx", "all");

    private RedisKey IndexKey(string dimension, string value) => keys.Fleet(Tag, "idx", dimension, value);

    private RedisKey ValuesKey(string dimension) => keys.Fleet(Tag, "values", dimension);

    /// <summary>Stores the alerts not seen before and evicts the oldest beyond the bound; returns how many were new.</summary>
    public async Task<int> AddAsync(IReadOnlyList<Alert> alerts)
    {
        var db = Db;
        var added = 0;
        foreach (var alert in alerts)
        {
            var score = ScoreOf(alert);
            var dims = AlertIndex.Of(alert).ToList();
            var indexKeys = dims.Select(d => (string)IndexKey(d.Dimension, d.Value)!)
                .Append((string)AllKey!)
                .Append((string)IndexKey(AlertIndex.Status, TriageStatus.New)!);
            var result = await db.ScriptEvaluateAsync(AddScript, new
            {
                alert = AlertKey(alert.Id),
                id = (RedisValue)alert.Id,
                pb = (RedisValue)alert.ToByteArray(),
                status = (RedisValue)TriageStatus.New,
                score = (RedisValue)score,
                dims = (RedisValue)string.Join('\n', indexKeys),
            });
            if ((int)result == 1)
            {
                added++;
                var batch = db.CreateBatch();
                var writes = dims.Where(d => d.Dimension != AlertIndex.Host || d.Value == AlertFilter.Normalise(alert.Host?.Name))
                    .Select(d => batch.SortedSetAddAsync(ValuesKey(d.Dimension), d.Value, score))
                    .ToList();
                batch.Execute();
                await Task.WhenAll(writes);
            }
        }

        if (added > 0)
        {
            await EvictAsync(db);
            metrics.AlertsStored.Inc(added);
        }

        return added;
    }

    private async Task EvictAsync(IDatabase db)
    {
        var excess = await db.SortedSetLengthAsync(AllKey) - options.MaxAlerts;
        if (excess <= 0)
        {
            return;
        }

        foreach (var id in await db.SortedSetRangeByRankAsync(AllKey, 0, excess - 1))
        {
            var fields = await db.HashGetAsync(AlertKey(id!), ["dims", "status"]);
            var transaction = db.CreateTransaction();
            _ = transaction.SortedSetRemoveAsync(AllKey, id);
            foreach (var key in ((string?)fields[0] ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                _ = transaction.SortedSetRemoveAsync(key, id);
            }

            _ = transaction.SortedSetRemoveAsync(IndexKey(AlertIndex.Status, (string?)fields[1] ?? TriageStatus.New), id);
            _ = transaction.KeyDeleteAsync([AlertKey(id!), HistoryKey(id!)]);
            await transaction.ExecuteAsync();
            metrics.AlertsEvicted.Inc();
        }

        foreach (var dimension in new[] { AlertIndex.Analytic, AlertIndex.Rule, AlertIndex.Severity, AlertIndex.Host, AlertIndex.User })
        {
            await db.SortedSetRemoveRangeByRankAsync(ValuesKey(dimension), 0, -MaxSuggestions - 1);
        }
    }

    /// <summary>One page of the alerts the filter selects, newest first. Page sizes are clamped to 10..200.</summary>
    public async Task<AlertPage> PageAsync(AlertFilter filter, int page, int pageSize)
    {
        pageSize = Math.Clamp(pageSize, 10, 200);
        page = Math.Max(1, page);
        var db = Db;
        var sets = filter.Dimensions().Select(d => IndexKey(d.Dimension, d.Value)).ToArray();
        RedisKey source;
        RedisKey? scratch = null;
        if (sets.Length == 0)
        {
            source = AllKey;
        }
        else if (sets.Length == 1)
        {
            source = sets[0];
        }
        else
        {
            // Intersections are small (every set is bounded by MaxAlerts) and live for one request.
            scratch = keys.Fleet(Tag, "scratch", Guid.NewGuid().ToString("N"));
            await db.SortedSetCombineAndStoreAsync(SetOperation.Intersect, scratch.Value, sets, aggregate: Aggregate.Max);
            await db.KeyExpireAsync(scratch.Value, TimeSpan.FromSeconds(30));
            source = scratch.Value;
        }

        try
        {
            var total = await db.SortedSetLengthAsync(source);
            var lastPage = (int)Math.Max(1, (total + pageSize - 1) / pageSize);
            page = Math.Min(page, lastPage);
            var ids = await db.SortedSetRangeByRankAsync(source, (long)(page - 1) * pageSize, ((long)page * pageSize) - 1, Order.Descending);
            var alerts = await LoadAsync(db, ids.Select(i => (string)i!).ToList());
            return new AlertPage(alerts, total, page, pageSize);
        }
        finally
        {
            if (scratch is { } key)
            {
                await db.KeyDeleteAsync(key);
            }
        }
    }

    public async Task<StoredAlert?> GetAsync(string id) => (await LoadAsync(Db, [id])).SingleOrDefault();

    private async Task<List<StoredAlert>> LoadAsync(IDatabase db, IReadOnlyList<string> ids)
    {
        var batch = db.CreateBatch();
        var reads = ids.Select(id => batch.HashGetAsync(AlertKey(id), ["pb", "status", "assignee", "updated"])).ToList();
        batch.Execute();
        var found = new List<StoredAlert>(ids.Count);
        foreach (var read in reads)
        {
            var fields = await read;
            if (fields[0].IsNull)
            {
                // Evicted between the index read and this one.
                continue;
            }

            var updated = fields[3].IsNull ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds((long)fields[3]);
            found.Add(new StoredAlert(Alert.Parser.ParseFrom((byte[])fields[0]!), new TriageState((string)fields[1]!, (string?)fields[2], updated)));
        }

        return found;
    }

    /// <summary>Recently seen values of a dimension (hosts, users, rules...), most recent first, for the filter form.</summary>
    public async Task<IReadOnlyList<string>> SuggestionsAsync(string dimension) =>
        (await Db.SortedSetRangeByRankAsync(ValuesKey(dimension), 0, MaxSuggestions - 1, Order.Descending)).Select(v => (string)v!).ToList();

    /// <summary>The triage history of an alert, oldest first.</summary>
    public async Task<IReadOnlyList<TriageEntry>> HistoryAsync(string id) =>
        (await Db.ListRangeAsync(HistoryKey(id))).Select(v => JsonSerializer.Deserialize<TriageEntry>((string)v!, ConsoleJson.Options)!).ToList();

    /// <summary>
    /// Applies a triage step and appends it to the history in one transaction, retried if another analyst changed the alert
    /// in between (so the status index always matches the stored status). Null when the alert is unknown (or evicted).
    /// </summary>
    public async Task<TriageEntry?> TriageAsync(string id, TriageAction action, string by, string? note, string? assignee)
    {
        var db = Db;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var fields = await db.HashGetAsync(AlertKey(id), ["status", "assignee", "score"]);
            if (fields[0].IsNull)
            {
                return null;
            }

            var old = (string)fields[0]!;
            var status = action switch
            {
                TriageAction.Acknowledge => TriageStatus.Acknowledged,
                TriageAction.CloseTruePositive => TriageStatus.TruePositive,
                TriageAction.CloseFalsePositive => TriageStatus.FalsePositive,
                TriageAction.Reopen => TriageStatus.Acknowledged,
                _ => old,
            };
            var newAssignee = action == TriageAction.Assign ? Trimmed(assignee) : (string?)fields[1];
            var now = time.GetUtcNow();
            var entry = new TriageEntry(now, by, ActionName(action), status, newAssignee, Trimmed(note));
            var transaction = db.CreateTransaction();
            transaction.AddCondition(Condition.HashEqual(AlertKey(id), "status", old));
            _ = transaction.HashSetAsync(AlertKey(id),
            [
                new HashEntry("status", status),
                new HashEntry("assignee", newAssignee ?? string.Empty),
                new HashEntry("updated", now.ToUnixTimeMilliseconds()),
            ]);
            if (status != old)
            {
                _ = transaction.SortedSetRemoveAsync(IndexKey(AlertIndex.Status, old), id);
                _ = transaction.SortedSetAddAsync(IndexKey(AlertIndex.Status, status), id, (double)fields[2]);
            }

            _ = transaction.ListRightPushAsync(HistoryKey(id), JsonSerializer.Serialize(entry, ConsoleJson.Options));
            if (await transaction.ExecuteAsync())
            {
                metrics.TriageActions.WithLabels(entry.Action).Inc();
                return entry;
            }
        }

        throw new InvalidOperationException($"Alert {id} kept changing while it was triaged; try again.");
    }

    public static string ActionName(TriageAction action) => action switch
    {
        TriageAction.Acknowledge => "acknowledged",
        TriageAction.Assign => "assigned",
        TriageAction.CloseTruePositive => "closed as true positive",
        TriageAction.CloseFalsePositive => "closed as false positive",
        _ => "reopened",
    };

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static double ScoreOf(Alert alert)
    {
        var nanos = alert.DetectionTime > 0 ? alert.DetectionTime : alert.LastEventTime;
        return Math.Round(nanos / 1_000_000.0, MidpointRounding.ToZero);
    }

    internal static string FormatScore(double score) => score.ToString(CultureInfo.InvariantCulture);
}
