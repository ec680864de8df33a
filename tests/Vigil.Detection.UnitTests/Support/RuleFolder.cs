namespace Vigil.Detection.UnitTests.Support;

/// <summary>An edited copy of a rule pack in a temporary folder, deleted on dispose.</summary>
internal sealed class RuleFolder : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("vigil-rules-").FullName;

    public RuleFolder(string analytic, params string[] ruleTexts)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, analytic)).FullName;
        for (var i = 0; i < ruleTexts.Length; i++)
        {
            System.IO.File.WriteAllText(Path.Combine(folder, $"rule{i}.toml"), ruleTexts[i]);
        }

        Pack = AnalyticPack.Load(analytic, folder, RulePacks.Lateness);
    }

    public AnalyticPack Pack { get; }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
