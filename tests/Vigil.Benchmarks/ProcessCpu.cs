using System.Globalization;

namespace Vigil.Benchmarks;

/// <summary>CPU time of any process on this machine, from /proc (user + system, all threads).</summary>
internal static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static TimeSpan Of(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces) start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The 1-minute load average, to be noted next to figures from a shared machine.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
