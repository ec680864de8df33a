using Microsoft.Extensions.Logging;
using Vigil.Detection;

namespace Vigil.Console;

/// <summary>
/// The rule packs the correlators run, read from rules/ with the same loader and compiler (so the exceptions shown are the
/// ones in force). A console without the packs still works: rule pages then show what the alerts themselves carry.
/// </summary>
public sealed class RuleCatalog
{
    private readonly Dictionary<string, CompiledRule> byId;

    private RuleCatalog(string? directory, IReadOnlyList<CompiledRule> rules, string? problem)
    {
        Directory = directory;
        Rules = rules;
        Problem = problem;
        byId = rules.GroupBy(r => r.RuleId, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
    }

    public string? Directory { get; }

    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>Why no rules are loaded, when none are.</summary>
    public string? Problem { get; }

    public CompiledRule? Find(string ruleId) => byId.GetValueOrDefault(ruleId);

    public static RuleCatalog Load(string? configured, ILogger logger)
    {
        var directory = string.IsNullOrWhiteSpace(configured) ? FindRulesFolder() : configured;
        if (directory is null || !System.IO.Directory.Exists(directory))
        {
            var problem = $"No rules folder found ({(directory ?? "rules/ next to the app or above the working directory")}); set Console:RulesPath.";
            logger.LogWarning("{Problem}", problem);
            return new RuleCatalog(directory, [], problem);
        }

        // A pack that fails to load stops its correlator, which then reports it; the console shows the problem instead.
        try
        {
            var pack = AnalyticPack.LoadAll(directory, TimeSpan.FromSeconds(2));
            return new RuleCatalog(directory, pack.Rules.OrderBy(r => r.AnalyticId, StringComparer.Ordinal).ThenBy(r => r.Rule.Name, StringComparer.Ordinal).ToList(), null);
        }
        catch (RulePackException e)
        {
            var problem = e.Message + " " + string.Join(" ", e.Problems);
            logger.LogWarning("Rules in {Directory} do not load: {Problem}", directory, problem);
            return new RuleCatalog(directory, [], problem);
        }
    }

    private static string? FindRulesFolder()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "rules") };
        for (var dir = new DirectoryInfo(System.IO.Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "rules"));
        }

        return candidates.FirstOrDefault(System.IO.Directory.Exists);
    }
}
