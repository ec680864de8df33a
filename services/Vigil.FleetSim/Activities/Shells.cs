using Vigil.FleetSim.Endpoint;

namespace Vigil.FleetSim.Activities;

/// <summary>Interactive shells: the login zsh a Terminal window runs.</summary>
internal static class Shells
{
    /// <summary>A new Terminal window's login shell (Terminal must be acquired by the caller at activity start).</summary>
    public static SimProcess TerminalZsh(ActivityContext c, SimProcess terminal) =>
        c.Spawn(terminal, Images.Zsh, ["-zsh"], c.Home, c.User, interactive: true);

    /// <summary>Projects developers keep under ~/src.</summary>
    public static readonly string[] Repositories = ["payments-api", "web-frontend", "infra-terraform", "data-pipeline", "ios-app", "dotfiles", "ml-experiments"];

    public static string Repository(ActivityContext c) => $"{c.Home}/src/{c.Rng.Pick(Repositories)}";

}
