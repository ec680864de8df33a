using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;

namespace Vigil.Detection.UnitTests;

/// <summary>
/// A sequence without maxspan is bounded as Elastic's scheduled search bounds it, by the rule's look-back (from, default
/// now-6m), or by [vigil] sequence_span; a backtest asked for query semantics does not bound it.
/// </summary>
public sealed class LookBackTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("vigil-lookback-").FullName;

    private static string Rule(string extra = "", string vigil = "") => $$"""
        [rule]
        description = "A shell, later curl from it."
        language = "eql"
        name = "Shell then curl"
        risk_score = 21
        rule_id = "5e0b5c0e-0000-4000-8000-000000010bcd"
        severity = "low"
        type = "eql"
        {{extra}}
        query = '''
        sequence by process.entity_id
          [process where process.name == "bash"]
          [process where process.name == "curl"]
        '''
        {{vigil}}
        """;

    private static readonly long Origin = new DateTimeOffset(2025, 3, 3, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;

    private static TelemetryEvent Exec(string id, TimeSpan after, string name) => new()
    {
        Timestamp = Origin + (after.Ticks * 100),
        Event = new Event { Id = id, Category = { "process" }, Action = "exec" },
        Host = new Host { Id = "mac-1" },
        Process = new Process { Name = name, EntityId = "p-1" },
    };

    private CompiledRule Load(string rule, bool querySemantics = false)
    {
        System.IO.File.WriteAllText(Path.Combine(folder, "rule.toml"), rule);
        return Assert.Single(AnalyticPack.LoadAll(folder, new EngineDefaults(TimeSpan.Zero) { QuerySemantics = querySemantics }).Rules);
    }

    private static int Matches(CompiledRule rule, TimeSpan gap)
    {
        var runner = new InMemorySequenceRunner<TelemetryEvent>(rule.Engine);
        var matches = runner.Process(Exec("bash", TimeSpan.Zero, "bash")).Count + runner.Process(Exec("curl", gap, "curl")).Count;
        return matches + runner.Flush().Count;
    }

    [Fact]
    public void WithoutFromASequenceSpansAtMostElasticsDefaultSixMinutes()
    {
        var rule = Load(Rule());

        Assert.Equal(TimeSpan.FromMinutes(6), rule.Engine.Span);
        Assert.Equal(1, Matches(rule, TimeSpan.FromMinutes(5)));
        Assert.Equal(0, Matches(rule, TimeSpan.FromMinutes(7)));
    }

    [Fact]
    public void TheRulesFromSetsTheBound()
    {
        var rule = Load(Rule("from = \"now-9m\""));

        Assert.Equal(1, Matches(rule, TimeSpan.FromMinutes(8)));
        Assert.Equal(0, Matches(rule, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void SequenceSpanInTheVigilSectionOverridesTheLookBack()
    {
        var rule = Load(Rule("from = \"now-9m\"", "[vigil]\nsequence_span = \"1h\""));

        Assert.Equal(1, Matches(rule, TimeSpan.FromMinutes(50)));
    }

    [Fact]
    public void QuerySemanticsLeaveASequenceWithoutMaxspanUnbounded()
    {
        var rule = Load(Rule(), querySemantics: true);

        Assert.Equal(1, Matches(rule, TimeSpan.FromDays(30)));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
