using Vigil.Detection;

namespace Vigil.Correlator.UnitTests.Support;

/// <summary>The test pack: a two-step sequence rule and a suppressed single-event rule (files/route_pack).</summary>
internal static class RoutePack
{
    public const string Analytic = "route-tests";

    public static readonly TimeSpan Lateness = TimeSpan.FromSeconds(2);

    public static AnalyticPack Load() => AnalyticPack.Load(Analytic, Path.Combine(AppContext.BaseDirectory, "files", "route_pack"), Lateness);

    public static CompiledRule Sequence(this AnalyticPack pack) => pack.Rules.Single(r => r.IsStateful);

    public static CompiledRule SingleEvent(this AnalyticPack pack) => pack.Rules.Single(r => !r.IsStateful);
}
