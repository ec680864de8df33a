using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Eql.UnitTests;

/// <summary>Runs a query over events in memory and reports matches as lists of event ids.</summary>
internal static class Run
{
    public static CompiledQuery<TelemetryEvent> Compile(string query) => EqlCompiler.Compile(query, TelemetrySchemas.Protobuf);

    public static List<string[]> Sequences(string query, IEnumerable<TelemetryEvent> events, TimeSpan? lateness = null) =>
        Sequences(Compile(query), events, lateness);

    public static List<string[]> Sequences(CompiledQuery<TelemetryEvent> query, IEnumerable<TelemetryEvent> events, TimeSpan? lateness = null)
    {
        var runner = new InMemorySequenceRunner<TelemetryEvent>(new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = lateness ?? TimeSpan.Zero }));
        var matches = new List<SequenceMatch<TelemetryEvent>>();
        foreach (var e in events)
        {
            matches.AddRange(runner.Process(e));
        }

        matches.AddRange(runner.Flush());
        return matches.Select(m => m.EventIds.ToArray()).ToList();
    }

    public static string[] Ids(params string[] ids) => ids;
}
