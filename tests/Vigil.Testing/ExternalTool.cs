using System.Diagnostics;
using System.Text;

namespace Vigil.Testing;

/// <summary>Finds command-line tools the fixtures drive (redis-server, redis-cli, openssl) and runs them to completion.</summary>
internal static class ExternalTool
{
    /// <summary>Full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Full path of <paramref name="name"/>; throws naming how the project installs it when missing.</summary>
    public static string Require(string name, string package) =>
        Find(name) ?? throw new InvalidOperationException(
            $"'{name}' was not found on PATH. `make test` installs it (apt-get install -y {package}); install it or run the tests through make.");

    /// <summary>Runs the tool and returns its exit code with stdout and stderr interleaved; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{Path.GetFileName(executable)} {string.Join(' ', startInfo.ArgumentList)} did not finish within {timeout}:\n{Read(output)}");
        }

        // The parameterless wait also drains the redirected streams.
        await process.WaitForExitAsync();
        return (process.ExitCode, Read(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
