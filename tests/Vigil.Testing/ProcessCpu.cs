using System.Globalization;

namespace Vigil.Testing;

/// <summary>CPU time of any process on this machine, from /proc (user + system, all threads).</summary>
public static class ProcessCpu
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

    /// <summary>CPU time of each thread of a process, by thread id, with the thread's name (/proc/&lt;pid&gt;/task).</summary>
    public static Dictionary<int, (string Name, TimeSpan Cpu)> ThreadsOf(int pid)
    {
        var threads = new Dictionary<int, (string Name, TimeSpan Cpu)>();
        try
        {
            foreach (var dir in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    threads[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = (name, TimeSpan.FromSeconds(ticks / TicksPerSecond));
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (IOException)
        {
            // The process ended.
        }

        return threads;
    }

    /// <summary>
    /// CPU time this process's tiered-compilation worker threads (".NET Tiered Compilation Worker", which recompiles
    /// hot methods at tier 1 in the background) have spent so far. The runtime ends an idle worker and starts another
    /// later, so each worker's last-seen CPU is kept: <see cref="Sample"/> often enough (a few times a second) that an
    /// ended worker's time is not lost. Tier-0 compilations run on the calling thread and are not in it.
    /// </summary>
    public sealed class JitWorker
    {
        private readonly Dictionary<int, TimeSpan> seen = [];
        private readonly HashSet<int> others = [];
        private long lastSample;

        /// <summary>Updates the workers' CPU times; at most every 200 ms unless <paramref name="now"/> is set.</summary>
        public TimeSpan Sample(bool now = false)
        {
            if (!now && System.Diagnostics.Stopwatch.GetElapsedTime(lastSample) < TimeSpan.FromMilliseconds(200))
            {
                return Total;
            }

            lastSample = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
                {
                    var tid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                    if (others.Contains(tid))
                    {
                        continue;
                    }

                    try
                    {
                        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                        // Linux keeps 15 characters of a thread's name.
                        if (!stat.AsSpan(stat.IndexOf('(') + 1).StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                        {
                            others.Add(tid);
                            continue;
                        }

                        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                        seen[tid] = TimeSpan.FromSeconds(ticks / TicksPerSecond);
                    }
                    catch (IOException)
                    {
                        // The thread ended meanwhile.
                    }
                }
            }
            catch (IOException)
            {
                // Not Linux: no figure.
            }

            return Total;
        }

        private TimeSpan Total => seen.Values.Aggregate(TimeSpan.Zero, (sum, cpu) => sum + cpu);
    }

    /// <summary>The busiest threads between two <see cref="ThreadsOf"/> snapshots, in cores, e.g. "rdk:broker1 0.21, .NET Long Running Task 0.95".</summary>
    public static string BusiestThreads(Dictionary<int, (string Name, TimeSpan Cpu)> before, Dictionary<int, (string Name, TimeSpan Cpu)> after, double seconds, int top = 6) =>
        string.Join(", ", after
            .Select(t => (t.Value.Name, Cores: (t.Value.Cpu - (before.TryGetValue(t.Key, out var b) ? b.Cpu : TimeSpan.Zero)).TotalSeconds / seconds))
            .OrderByDescending(t => t.Cores)
            .Take(top)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {t.Cores:F2}")));

    /// <summary>
    /// CPU time the whole machine's processes spent so far, over every core (/proc/stat: user, nice and system), so
    /// that a step can tell what processes other than the benchmark's took from the cores it shares. Interrupt,
    /// softirq and steal time are left out: no process's utime/stime holds them, so they would count as other
    /// processes' work (softirq is mostly the loopback traffic of the benchmark's own processes).
    /// </summary>
    public static TimeSpan MachineBusy()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal (guest time is already in user).
            var busy = cpu[0] + cpu[1] + cpu[2];
            return TimeSpan.FromSeconds(busy / TicksPerSecond);
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
