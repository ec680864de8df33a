using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Vigil.Testing;

/// <summary>
/// A Vigil executable run as a real child process: stdout lines are collected for assertions, stderr
/// is kept for failure messages, and the process is killed on dispose if still running (paused or not).
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    // Linux numbers; macOS (as the BSDs) numbers them apart.
    private static readonly int SigStop = OperatingSystem.IsMacOS() ? 17 : 19;
    private static readonly int SigCont = OperatingSystem.IsMacOS() ? 19 : 18;
    private readonly Process process;
    private readonly StringBuilder stderr = new();
    private bool paused;

    private ServiceProcess(Process process) => this.process = process;

    public ConcurrentQueue<string> Lines { get; } = new();

    public bool HasExited => process.HasExited;

    /// <summary>Whether the process is stopped by <see cref="Pause"/> and not yet resumed.</summary>
    public bool IsPaused => paused;

    public int ExitCode => process.ExitCode;

    public string Stderr
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    public static ServiceProcess Start(string assemblyPath, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var started = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                started.Lines.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (started.stderr)
                {
                    started.stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Waits for a command that runs to completion; its output is fully read when this returns. Throws on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown hooks run, as in a crash or an OOM kill (a paused process is killed where it stopped).</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        paused = false;
    }

    /// <summary>
    /// SIGSTOP: every thread of the process stops at once and nothing runs until <see cref="Resume"/>, as in a long GC
    /// pause, a frozen VM or a starved node: no heartbeat, no I/O, sockets left open. A process still paused when killed
    /// or disposed dies all the same (SIGKILL reaches a stopped process).
    /// </summary>
    public void Pause()
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException("The process has exited: nothing to pause.");
        }

        if (SendSignal(process.Id, SigStop) != 0)
        {
            throw new InvalidOperationException($"SIGSTOP to process {process.Id} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        }

        paused = true;
    }

    /// <summary>SIGCONT: a paused process runs on from where it stopped (nothing when it is not paused or has exited).</summary>
    public void Resume()
    {
        if (!paused)
        {
            return;
        }

        paused = false;
        if (!process.HasExited)
        {
            _ = SendSignal(process.Id, SigCont);
        }
    }

    /// <summary>SIGTERM, then waits for the orderly shutdown (a paused process is resumed first: it could not shut down).</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        Resume();
        if (!process.HasExited)
        {
            _ = SendSignal(process.Id, SigTerm);
        }

        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }
}
