using Vigil.Testing;

namespace Vigil.Cli.IntegrationTests;

/// <summary>Runs a built command (vigil, fleet-sim) to completion and keeps what it printed.</summary>
internal sealed record VigilCommand(int ExitCode, IReadOnlyList<string> Stdout, string Stderr)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static Task<VigilCommand> VigilAsync(params string[] arguments) => RunAsync(TestPaths.ServiceAssembly("Vigil.Cli", "vigil"), arguments);

    public static Task<VigilCommand> FleetSimAsync(params string[] arguments) => RunAsync(TestPaths.ServiceAssembly("Vigil.FleetSim", "fleet-sim"), arguments);

    private static async Task<VigilCommand> RunAsync(string assembly, string[] arguments)
    {
        await using var process = ServiceProcess.Start(assembly, arguments);
        var exitCode = await process.WaitForExitAsync(Timeout);
        return new VigilCommand(exitCode, [.. process.Lines], process.Stderr);
    }
}
