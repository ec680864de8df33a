using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vigil.Testing;

namespace Vigil.Cli.IntegrationTests;

/// <summary>
/// `make run`'s script (deploy/dev/run.sh) as a real process tree: it refuses a configuration that cannot run
/// with one line and exit 2, and when a child exits it names it, stops the rest and exits non-zero. The script runs
/// from a scratch copy of the repository layout (its own rules/, deploy/topics.json and .vigil/, the built services
/// linked in), on free ports, so it never touches the clone's state or another run.
/// </summary>
public sealed class MakeRunTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ARulePackWithoutAConsumerGroupStopsMakeRunBeforeAnythingStartsWithOneLineAndExitCode2()
    {
        using var root = ScratchClone();
        CopyDirectory(Path.Combine(TestPaths.RepoRoot, "rules", "an0167"), root.Combine("rules/an0167"));
        Directory.CreateDirectory(root.Combine("rules/lateral-movement"));
        await File.WriteAllTextAsync(root.Combine("rules/lateral-movement/ssh.toml"), "# not read: the pack has no consumer group", TestContext.Current.CancellationToken);

        var run = await RunAsync(root, new Dictionary<string, string>());

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr);
        Assert.StartsWith("vigil: rules/lateral-movement has no consumer group in deploy/topics.json (add {\"name\": \"vigil.correlator.lateral-movement\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Stdout, l => l.Contains("started", StringComparison.Ordinal));
        Assert.False(Directory.Exists(root.Combine(".vigil/logs")) && Directory.EnumerateFiles(root.Combine(".vigil/logs")).Any(), "no child was started");
    }

    [Fact]
    public async Task AChildThatExitsIsNamedWithItsCodeAndLogAndTheRestAreStopped()
    {
        using var root = ScratchClone();
        LinkRepositoryFolder(root, "rules");
        var redisPort = FreePorts.One();
        var environment = new Dictionary<string, string>
        {
            ["VIGIL_REDIS_PORT"] = redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The dev broker runs three brokers on the base port and the two after it.
            ["VIGIL_KAFKA_BASE_PORT"] = FreePorts.Block(3).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["VIGIL_DevCluster__ControlUrl"] = $"http://127.0.0.1:{FreePorts.One()}",
            // A Redis user without a password: the baseline, the first child that uses Redis, refuses to start.
            ["VIGIL_Redis__User"] = "vigil",
        };

        var run = await RunAsync(root, environment);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("vigil: baseline exited with code 2; stopping the rest (nothing is restarted). Last lines of .vigil/logs/baseline.log:", run.Stderr);
        Assert.Contains(run.Stderr, l => l.Trim() == "vigil-baseline: configuration error: Redis:User is 'vigil' but neither Redis:Password nor Redis:PasswordFile is set.");
        Assert.Contains("  stopped kafka-dev-cluster", run.Stdout);
        Assert.Contains("  stopped redis-server", run.Stdout);
        Assert.DoesNotContain(run.Stdout, l => l.StartsWith("Vigil is running", StringComparison.Ordinal));
        Assert.False(Answers(redisPort), "the redis-server make run started is stopped");
    }

    private sealed record ScriptRun(int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr);

    /// <summary>A folder shaped like the repository for run.sh: its script and manifest copied, the built services linked.</summary>
    private static TemporaryDirectory ScratchClone()
    {
        var root = TemporaryDirectory.Create("vigil-make-run-");
        Directory.CreateDirectory(root.Combine("deploy/dev"));
        File.Copy(Path.Combine(TestPaths.RepoRoot, "deploy", "dev", "run.sh"), root.Combine("deploy/dev/run.sh"));
        File.Copy(TestPaths.TopicManifest, root.Combine("deploy/topics.json"));
        LinkRepositoryFolder(root, "services");
        return root;
    }

    private static void LinkRepositoryFolder(TemporaryDirectory root, string name) =>
        Directory.CreateSymbolicLink(root.Combine(name), Path.Combine(TestPaths.RepoRoot, name));

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static async Task<ScriptRun> RunAsync(TemporaryDirectory root, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash", [root.Combine("deploy/dev/run.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["CONFIGURATION"] = TestPaths.Configuration;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM lets the script stop what it started (its trap) before the test gives up on it.
            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"run.sh did not finish within {Patience}:\n{await stdout}\n{await stderr}");
        }

        return new ScriptRun(process.ExitCode, Lines(await stdout), Lines(await stderr));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

}
