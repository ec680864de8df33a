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
    /// <summary>
    /// Once per process: a consumer child builds a host for its warm-up pass and another for its measured pass, and
    /// loading the four packs again for the second would leave the parser's and binder's tier-1 recompilation to run
    /// during the measured window (work a service does once at start, not per event).
    /// </summary>
    private static readonly Lazy<FieldSelection> AllServices = new(Load);

    public static FieldSelection OfAllServices() => AllServices.Value;

    private static FieldSelection Load()
    {
        foreach (var dir in Directory.GetDirectories(Path.Combine(TestPaths.RepoRoot, "rules")))
        {
            AnalyticPack.Load(Path.GetFileName(dir), dir, TimeSpan.FromSeconds(2));
        }

        return TelemetrySchemas.FieldsRead(BaselineHandler.FieldsRead);
    }
}
