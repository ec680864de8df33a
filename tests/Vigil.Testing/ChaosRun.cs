using Xunit;

namespace Vigil.Testing;

/// <summary>
/// Fault tests that take minutes run under `make chaos` (VIGIL_CHAOS=short or full), which `make test` runs after the
/// solution's tests; a plain `dotnet test` skips them with this reason. Figures go to VIGIL_CHAOS_REPORT when set.
/// </summary>
public static class ChaosRun
{
    public const string Variable = "VIGIL_CHAOS";

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) is "short" or "full";

    public static bool Full => Environment.GetEnvironmentVariable(Variable) == "full";

    public static string SkipReason => $"Fault test: runs under `make chaos` ({Variable}=short|full).";

    /// <summary>Appends one measured figure to the chaos report (and the test output).</summary>
    public static void Record(string line)
    {
        TestContext.Current.SendDiagnosticMessage(line);
        var report = Environment.GetEnvironmentVariable("VIGIL_CHAOS_REPORT");
        if (!string.IsNullOrEmpty(report))
        {
            lock (typeof(ChaosRun))
            {
                File.AppendAllText(report, $"{DateTimeOffset.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'} {line}{Environment.NewLine}");
            }
        }
    }
}
