using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Vigil.Benchmarks;

/// <summary>
/// A benchmark child (this program started again with "child ..."), talked to line by line over stdin/stdout. The
/// services in a child log to its standard output too: those lines go to <see cref="Log"/> (warnings and errors on to
/// the benchmark's standard error, offset resets counted), the rest are the protocol lines <see cref="ReadAsync"/> reads.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();

    private ChildProcess(Process process, string name)
    {
        this.process = process;
        Name = name;
        Log = new ChildLog(name, Console.Error);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                lines.Writer.TryComplete();
            }
            else if (ChildLog.IsLogLine(e.Data))
            {
                Log.Observe(e.Data, DateTimeOffset.UtcNow);
            }
            else
            {
                lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data.StartsWith("librdkafka ", StringComparison.Ordinal))
            {
                // The bare consumer's own librdkafka lines (it has no logger of its own).
                Log.Observe(e.Data, DateTimeOffset.UtcNow);
            }
            else
            {
                Console.Error.WriteLine($"[{name}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    /// <summary>The child's log lines: offset resets so far, warnings and errors forwarded at a bounded pace.</summary>
    public ChildLog Log { get; }

    public int Pid => process.Id;

    public static ChildProcess Start(string name, IEnumerable<string> arguments)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var info = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start a child"), name);
    }

    public void Send(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    /// <summary>The next output line starting with <paramref name="prefix"/>, without the prefix.</summary>
    public async Task<string> ReadAsync(string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await lines.Reader.ReadAsync(cancel.Token);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line[prefix.Length..].Trim();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new InvalidOperationException($"{Name} printed no '{prefix}' line (exited: {process.HasExited})", e);
        }
    }

    public async Task<ConsumerFigures> FiguresAsync(TimeSpan timeout) =>
        JsonSerializer.Deserialize<ConsumerFigures>(await ReadAsync("figures ", timeout)) ?? throw new InvalidOperationException($"{Name}: no figures");

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            try
            {
                Send("stop");
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Already gone.
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        // After the exit, once the output is read to its end: the last window's held-back count.
        process.WaitForExit();
        Log.Flush();
        process.Dispose();
    }
}
