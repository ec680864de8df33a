using System.Globalization;

namespace Vigil.FleetSim.Cli;

/// <summary>A scenario to inject, written as name or name@hostIndex on the command line.</summary>
internal static class InjectionSpec
{
    /// <summary>Injects the scenario <paramref name="spec"/> names and returns its scenario id.</summary>
    public static string Inject(FleetSimulation simulation, string spec)
    {
        var at = spec.LastIndexOf('@');
        return at < 0
            ? simulation.InjectScenario(spec)
            : simulation.InjectScenario(spec[..at], int.Parse(spec[(at + 1)..], CultureInfo.InvariantCulture));
    }
}
