using System.Diagnostics;

namespace Vigil.Agent;

/// <summary>Runs a source executable and hands its standard output to the caller line by line; killed on cancellation.</summary>
internal static class ChildProcess
{
    /// <summary>Streams stdout lines until the process exits (returns its exit code) or the token is cancelled.</summary>
    public static async Task<int> StreamLinesAsync(string executable, IReadOnlyList<string> arguments, Action<string> onLine, CancellationToken cancellationToken)
    {
        using var process = Start(executable, arguments);
        using var registration = cancellationToken.Register(() => Kill(process));
        while (await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            onLine(line);
        }

        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>Runs to completion and returns all of stdout; killed when it outlives <paramref name="timeout"/>.</summary>
    public static async Task<string> ReadAllAsync(string executable, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Start(executable, arguments);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var output = await process.StandardOutput.ReadToEndAsync(deadline.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{executable} exited with {process.ExitCode}");
        }
        finally
        {
            Kill(process);
        }
    }

    private static Process Start(string executable, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start");
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
