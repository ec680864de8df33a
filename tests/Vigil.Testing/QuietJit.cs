using System.Diagnostics;

namespace Vigil.Testing;

/// <summary>For benchmarks: lets the JIT's tiered-compilation backlog drain before a measured window starts.</summary>
public static class QuietJit
{
    /// <summary>
    /// Waits until no method has been JIT-compiled for a second (at most 20 s), so that a measured window starts with
    /// what the code runs, not with compilations queued before it.
    /// </summary>
    public static void Wait()
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 20);
        var last = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quietSince = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < deadline && Stopwatch.GetElapsedTime(quietSince) < TimeSpan.FromSeconds(1))
        {
            Thread.Sleep(100);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != last)
            {
                last = now;
                quietSince = Stopwatch.GetTimestamp();
            }
        }
    }
}
