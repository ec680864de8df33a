namespace Vigil.FleetSim;

/// <summary>Whether a scenario is an attack a detection must report or a legitimate look-alike it must not.</summary>
public enum ScenarioLabel
{
    Malicious,
    Benign,
}
