namespace Vigil.Agent.IntegrationTests;

/// <summary>
/// Stand-in executables for eslogger and nettop: small shell scripts that print recorded-shape output (the fixture
/// files) the way the real tools print it, so the agent runs its real child-process code against them.
/// </summary>
internal static class StandIns
{
    public static string Files(string name) => Path.Combine(AppContext.BaseDirectory, "files", name);

    /// <summary>An eslogger that records its arguments, prints the fixture session and then stays running like eslogger does.</summary>
    public static string Eslogger(string directory, string? fixture = "eslogger-session.jsonl") => Script(directory, "eslogger", $"""
        echo "$@" > "{directory}/eslogger.args"
        {(fixture is null ? "" : $"cat \"{Files(fixture)}\"")}
        touch "{directory}/eslogger.printed"
        exec sleep 600
        """);

    /// <summary>
    /// A nettop that prints a header-only sample until the stand-in eslogger has printed its session, then one sample
    /// with curl's connection open, then samples without it.
    /// </summary>
    public static string Nettop(string directory) => Script(directory, "nettop", $"""
        if [ ! -f "{directory}/eslogger.printed" ]; then echo "time,,interface,state,bytes_in,bytes_out,"; exit 0; fi
        n=$(cat "{directory}/nettop.count" 2>/dev/null || echo 0)
        echo $((n + 1)) > "{directory}/nettop.count"
        if [ "$n" -lt 2 ]; then echo "time,,interface,state,bytes_in,bytes_out,"; exit 0; fi
        if [ "$n" -eq 2 ]; then cat "{Files("nettop-curl-open.csv")}"; else cat "{Files("nettop-curl-closed.csv")}"; fi
        """);

    private static string Script(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        // Stand-ins are POSIX shell scripts: vigil-agent runs on macOS, its tests on Linux and macOS.
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The stand-in executables are shell scripts.");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
