using Vigil.Contracts;
using Vigil.Contracts.Telemetry;

namespace Vigil.Detection.UnitTests.Support;

/// <summary>One folder of files/rule_types: a rule file, its event timeline (ECS NDJSON) and the alerts it must raise.</summary>
internal sealed record RuleTypeCase(string Name, AnalyticPack Pack, IReadOnlyList<TelemetryEvent> Events, IReadOnlyList<string> Expected)
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "files", "rule_types");

    public static IEnumerable<string> Names => Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    /// <summary>Loads a case; <paramref name="vigil"/> is appended to the rule file (in a temporary copy) when given.</summary>
    public static RuleTypeCase Load(string name, string? vigil = null)
    {
        var folder = Path.Combine(Root, name);
        var rulePath = Path.Combine(folder, "rule.toml");
        AnalyticPack pack;
        if (vigil is null)
        {
            pack = AnalyticPack.Load("rule-types", rulePath, RulePacks.Lateness);
        }
        else
        {
            using var copy = new RuleFolder("rule-types", System.IO.File.ReadAllText(rulePath) + vigil);
            pack = copy.Pack;
        }

        var events = System.IO.File.ReadLines(Path.Combine(folder, "events.ndjson"))
            .Where(l => l.Length > 0)
            .Select(EcsJson.Parse<TelemetryEvent>)
            .ToList();
        var expected = System.IO.File.ReadLines(Path.Combine(folder, "expected.txt")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return new RuleTypeCase(name, pack, events, expected);
    }
}
