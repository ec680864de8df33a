using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Vigil.Testing;

/// <summary>
/// A Vigil executable run as a real child process: stdout lines are collected for assertions, stderr
/// is kept for failure messages, and the process is killed on dispose if still running.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process process;
    private readonly StringBuilder stderr = new();

    private ServiceProcess(Process process) => this.process = process;

    public ConcurrentQueue<string> Lines { get; } = new();

    public bool HasExited => process.HasExited;

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

    /// <summary>SIGKILL: no shutdown hooks run, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the orderly shutdown.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        if (!process.HasExited)
        {
            _ = SendSignal(process.Id, SigTerm);
        }

        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }
}
