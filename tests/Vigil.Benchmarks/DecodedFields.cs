using Vigil.Baseline;
using Vigil.Contracts.Decoding;
using Vigil.Detection;
using Vigil.Rules;
using Vigil.Testing;

namespace Vigil.Benchmarks;

/// <summary>
/// What the consume+decode row decodes: the union of the fields the four packs' rules and the baseline read, i.e. no
/// less than any one service parses before it completes the events a rule can use.
/// </summary>
internal static class DecodedFields
{
    public static FieldSelection OfAllServices()
    {
        foreach (var dir in Directory.GetDirectories(Path.Combine(TestPaths.RepoRoot, "rules")))
        {
            AnalyticPack.Load(Path.GetFileName(dir), dir, TimeSpan.FromSeconds(2));
        }

        return TelemetrySchemas.FieldsRead(BaselineHandler.FieldsRead);
    }
}
