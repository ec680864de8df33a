using Vigil.Detection;
using Vigil.Rules;

namespace Vigil.Cli;

/// <summary>`vigil rules check`: loads a rule file or folder (recursively) as the correlator would and reports every problem.</summary>
public static class RulesCheckCommand
{
    public const string Usage = "vigil rules check <rule file|folder>";

    /// <summary>Prints each problem as file:line:column: message; exit code 1 when there is any, 2 on usage errors.</summary>
    public static async Task<int> RunAsync(string path, TextWriter stdout, TextWriter stderr)
    {
        var isFolder = Directory.Exists(path);
        if (!isFolder && !File.Exists(path))
        {
            await stderr.WriteLineAsync($"{path}: no such file or folder.");
            return 2;
        }

        var loaded = isFolder ? RuleLoader.LoadDirectory(path) : RuleLoader.LoadFile(path);
        foreach (var error in loaded.Errors)
        {
            await stdout.WriteLineAsync(error.ToString());
        }

        var files = isFolder ? Directory.EnumerateFiles(path, "*.toml", SearchOption.AllDirectories).Count() : 1;
        if (!loaded.Succeeded)
        {
            var broken = loaded.Errors.Select(e => e.Location.Source).Distinct().Count();
            await stdout.WriteLineAsync($"FAILED: {loaded.Errors.Count} error(s) in {broken} of {files} file(s)");
            return 1;
        }

        if (loaded.Rules.Count == 0)
        {
            await stdout.WriteLineAsync($"FAILED: {path} holds no rule files (*.toml)");
            return 1;
        }

        // Compiles every rule for the stream exactly as a correlator starting on this folder would.
        var pack = AnalyticPack.LoadAll(path, TimeSpan.FromSeconds(2));
        var perAnalytic = pack.Rules.GroupBy(r => r.AnalyticId).Select(g => $"{g.Key} {g.Count()}");
        await stdout.WriteLineAsync($"OK: {pack.Rules.Count} rule(s) in {files} file(s) ({string.Join(", ", perAnalytic)})");
        return 0;
    }
}
