using Vigil.Contracts.Telemetry;
using Vigil.Eql;
using Vigil.Eql.Documents;
using Vigil.Eql.Indexing;
using Vigil.Eql.Kql;
using Vigil.Eql.Sequences;
using Vigil.Rules;
using Vigil.Rules.ExceptionLists;

namespace Vigil.Detection;

/// <summary>The rules of one analytic, loaded from a folder and compiled against the telemetry contract at start.</summary>
public sealed class AnalyticPack
{
    private AnalyticPack(string analytic, string directory, IReadOnlyList<CompiledRule> rules)
    {
        Analytic = analytic;
        Directory = directory;
        Rules = rules;
        Index = new QueryIndex<TelemetryEvent>(rules.Select(r => r.Query).ToArray());
    }

    public string Analytic { get; }

    public string Directory { get; }

    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>The rules indexed by what an event must have to be relevant to them (see <see cref="Candidates"/>).</summary>
    public QueryIndex<TelemetryEvent> Index { get; }

    /// <summary>
    /// The rules <paramref name="e"/> may be relevant to, in <see cref="Rules"/> order: every rule it is relevant to and
    /// perhaps a few it is not, so a caller that runs <see cref="CompiledRule.Admit(TelemetryEvent, out ExceptionHit?)"/>
    /// on these instead of on every rule gets the same results for a fraction of the cost.
    /// </summary>
    public RuleCandidates Candidates(TelemetryEvent e) => new(Rules, Index.Candidates(e));

    /// <summary>
    /// Loads every rule file of <paramref name="path"/> (a folder, searched recursively, or one rule file). A pack with
    /// any broken rule does not start: the exception lists every problem with file:line:column.
    /// </summary>
    public static AnalyticPack Load(string analytic, string path, TimeSpan defaultLateness) => Load(analytic, path, new EngineDefaults(defaultLateness));

    /// <inheritdoc cref="Load(string, string, TimeSpan)"/>
    public static AnalyticPack Load(string analytic, string path, EngineDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var loaded = LoadRules(path, $" for analytic '{analytic}'");
        return new AnalyticPack(analytic, path, loaded.Rules.Select(rule => Compile(rule, loaded.ExceptionLists, rule.Vigil.Analytic ?? analytic, defaults)).ToArray());
    }

    /// <summary>
    /// Loads the rules of several analytics at once (a folder of packs, one pack, or one rule file), as a backtest runs
    /// them: each rule belongs to its [vigil] analytic, else to the analytic its folder is named after.
    /// </summary>
    public static AnalyticPack LoadAll(string path, TimeSpan defaultLateness) => LoadAll(path, new EngineDefaults(defaultLateness));

    /// <inheritdoc cref="LoadAll(string, TimeSpan)"/>
    public static AnalyticPack LoadAll(string path, EngineDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var loaded = LoadRules(path, string.Empty);
        var rules = loaded.Rules
            .Select(rule => Compile(rule, loaded.ExceptionLists, rule.Vigil.Analytic ?? new DirectoryInfo(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(rule.SourceName))!).Name, defaults))
            .ToArray();
        return new AnalyticPack(string.Join(",", rules.Select(r => r.AnalyticId).Distinct()), path, rules);
    }

    /// <summary>
    /// A sequence without maxspan (and a sample) is bounded as Elastic's scheduled search bounds it: by the rule's
    /// look-back (<c>from</c>, default now-6m), unless [vigil] sequence_span says otherwise; with query semantics it is
    /// not bounded at all.
    /// </summary>
    internal static SequenceEngineOptions EngineOptions(DetectionRule rule, EngineDefaults defaults) => new()
    {
        Lateness = rule.Vigil.Lateness ?? defaults.Lateness,
        SpanWithoutMaxSpan = defaults.QuerySemantics ? SequenceEngineOptions.Unbounded : rule.Vigil.SequenceSpan ?? rule.Schedule.LookBack,
        MaxPendingKeys = rule.Vigil.MaxPendingKeys ?? defaults.MaxPendingKeys,
        ReportEarly = defaults.ReportEarly,
    };

    private static RuleLoadResult LoadRules(string path, string owner)
    {
        var loaded = System.IO.Directory.Exists(path) ? RuleLoader.LoadDirectory(path)
            : System.IO.File.Exists(path) ? RuleLoader.LoadFile(path)
            : throw new RulePackException($"Rule folder '{path}'{owner} does not exist.", []);
        if (!loaded.Succeeded)
        {
            throw new RulePackException($"Rules in '{path}' have {loaded.Errors.Count} error(s).", loaded.Errors.Select(e => e.ToString()).ToArray());
        }

        if (loaded.Rules.Count == 0)
        {
            throw new RulePackException($"'{path}' holds no rules.", []);
        }

        return loaded;
    }

    /// <summary>Finds rules/&lt;analytic&gt;: next to the application first, then in the nearest folder above the working directory.</summary>
    public static string DefaultDirectory(string analytic)
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "rules", analytic) };
        for (var dir = new DirectoryInfo(System.IO.Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "rules", analytic));
        }

        return candidates.FirstOrDefault(System.IO.Directory.Exists) ?? candidates[0];
    }

    private static CompiledRule Compile(DetectionRule rule, ExceptionListCatalog lists, string analytic, EngineDefaults defaults)
    {
        var schema = TelemetrySchemas.Protobuf;
        var query = rule.Dialect is { } dialect
            ? KqlCompiler.Compile(rule.Query, dialect, schema)
            : EqlCompiler.Compile(rule.Query, schema);
        var clock = new EventClock(rule.TimestampOverride);
        // Events decoded for a few fields are held in state as their payload, not completed whole (TelemetryEventCodec).
        var engine = new SequenceEngine<TelemetryEvent>(query, EngineOptions(rule, defaults), TelemetryEventCodec.Instance);
        var items = rule.ExceptionLists.SelectMany(r => lists.Find(r)?.Items ?? []).ToList();
        return new CompiledRule(
            rule,
            analytic.ToUpperInvariant(),
            query,
            engine,
            new HostStateSerializer<TelemetryEvent>(query, TelemetryEventCodec.Instance, rule.Vigil.MaxStateBytes ?? defaults.MaxStateBytes, engine.Rejections),
            new RuleExceptionFilter<TelemetryEvent>(rule.Vigil.Exceptions, items, schema),
            rule.AlertSuppression)
        {
            Clock = clock,
            Threshold = rule.Threshold is { } threshold ? new ThresholdAggregation(threshold, rule.Schedule.LookBack, clock) : null,
            NewTerms = rule.NewTerms is { } newTerms ? new NewTermsAggregation(newTerms, rule.Vigil.NewTermsLearning, clock) : null,
            SuppressionFields = rule.AlertSuppression?.GroupBy.Select(f => schema.CreateAccessor(schema.Fields.Require(f), f)).ToArray() ?? [],
        };
    }
}
