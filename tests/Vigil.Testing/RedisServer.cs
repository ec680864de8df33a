using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Vigil.Testing;

/// <summary>
/// A real redis-server process on 127.0.0.1 and a free port, without persistence, for tests; usable as an xunit
/// class or assembly fixture. Its log is kept in its directory and quoted in every failure message.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    public const string Host = "127.0.0.1";

    // A deadline for a stuck start, generous for a shared 2-core machine; nothing measures speed against it.
    private static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(30);
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private const int PortAttempts = 5;

    private readonly RedisServerSettings settings;
    private readonly TemporaryDirectory? ownDirectory;
    private readonly StringBuilder console = new();
    private Process? process;

    static RedisServer()
    {
        // A test host that exits without disposing its fixtures (a crash, Ctrl+C) must not leave servers behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var running in Running.Values)
            {
                try
                {
                    running.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already exited.
                }
            }
        };
    }

    /// <summary>A plain server; the constructor xunit uses for a class or assembly fixture.</summary>
    public RedisServer()
        : this(new RedisServerSettings())
    {
    }

    // Not public: xunit requires a fixture to have exactly one public constructor. Use StartAsync for other settings.
    internal RedisServer(RedisServerSettings settings)
    {
        this.settings = settings;
        if (settings.Directory is null)
        {
            ownDirectory = TemporaryDirectory.Create("vigil-redis-");
            Directory = ownDirectory.Path;
        }
        else
        {
            Directory = System.IO.Directory.CreateDirectory(settings.Directory).FullName;
        }
    }

    /// <summary>The port clients connect to (the TLS port when <see cref="RedisServerSettings.Tls"/> is set).</summary>
    public int Port { get; private set; }

    /// <summary>"127.0.0.1:port".</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    public RedisServerSettings Settings => settings;

    /// <summary>Working directory holding the server's log (and cluster state for cluster nodes).</summary>
    public string Directory { get; }

    public string LogPath => Path.Combine(Directory, "redis.log");

    /// <summary>Starts a server with <paramref name="settings"/>; dispose it to stop it.</summary>
    public static async Task<RedisServer> StartAsync(RedisServerSettings? settings = null)
    {
        var server = new RedisServer(settings ?? new RedisServerSettings());
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask InitializeAsync()
    {
        var executable = ExternalTool.Require("redis-server", "redis-server");
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePorts.One();
            var busPort = settings.ClusterEnabled ? FreePorts.One() : (int?)null;
            File.Delete(LogPath);
            Start(executable, busPort);
            var failure = await WaitUntilAnsweringAsync();
            if (failure is null)
            {
                return;
            }

            await StopAsync();

            // Another process may take the free port between probing it and redis-server binding it.
            if (attempt < PortAttempts && Diagnostics().Contains("Address already in use", StringComparison.Ordinal))
            {
                continue;
            }

            var message = $"redis-server on {Endpoint} did not start: {failure}.\n{Diagnostics()}";

            // Clean up now: a fixture whose start failed may never be disposed (disposing twice is harmless).
            await DisposeAsync();
            throw new InvalidOperationException(message);
        }
    }

    /// <summary>Sends one command and returns the raw reply ("+OK", "-ERR ...", or bulk text); for fixtures and diagnostics.</summary>
    public Task<string> SendAsync(CancellationToken cancellationToken, params string[] command) =>
        RespProbe.SendAsync(Port, settings.Tls, cancellationToken, command);

    /// <summary>Zeroes the server's command statistics (CONFIG RESETSTAT): <see cref="CommandCallsAsync"/> counts from here.</summary>
    public async Task ResetCommandStatsAsync(CancellationToken cancellationToken)
    {
        var reply = await SendAsync(cancellationToken, "CONFIG", "RESETSTAT");
        if (reply != "+OK")
        {
            throw new InvalidOperationException($"CONFIG RESETSTAT on {Endpoint} answered {reply}.");
        }
    }

    /// <summary>
    /// How often the server ran each command (INFO commandstats: "hsetnx", "zcard", "config|resetstat"...; a command a
    /// script ran counts too) since it started or <see cref="ResetCommandStatsAsync"/>; a command never run is absent.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> CommandCallsAsync(CancellationToken cancellationToken)
    {
        const string Prefix = "cmdstat_";
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in (await SendAsync(cancellationToken, "INFO", "commandstats")).Split('\n', StringSplitOptions.TrimEntries))
        {
            // cmdstat_hsetnx:calls=2,usec=5,usec_per_call=2.50,rejected_calls=0,failed_calls=0
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.StartsWith(Prefix, StringComparison.Ordinal) && colon > 0 && line.AsSpan(colon + 1).StartsWith("calls="))
            {
                var value = line.AsSpan(colon + 1 + "calls=".Length);
                var comma = value.IndexOf(',');
                calls[line[Prefix.Length..colon]] = long.Parse(comma < 0 ? value : value[..comma], CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    /// <summary>Kills the server and waits for it to exit; the directory and log stay until dispose.</summary>
    public async Task StopAsync()
    {
        var stopping = process;
        if (stopping is null)
        {
            return;
        }

        process = null;
        Running.TryRemove(stopping.Id, out _);
        try
        {
            stopping.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await stopping.WaitForExitAsync();
        stopping.Dispose();
    }

    /// <summary>
    /// Starts a stopped (or killed) server again on the same port and directory, as a restarted pod would come back
    /// at the same address; it reloads whatever it persisted (e.g. with "--appendonly yes" in the settings).
    /// </summary>
    public async Task RestartAsync()
    {
        if (settings.ClusterEnabled)
        {
            throw new NotSupportedException("Restarting a cluster node is not supported.");
        }

        await StopAsync();
        Start(ExternalTool.Require("redis-server", "redis-server"), busPort: null);
        if (await WaitUntilAnsweringAsync() is { } failure)
        {
            throw new InvalidOperationException($"redis-server on {Endpoint} did not restart: {failure}.\n{Diagnostics()}");
        }
    }

    /// <summary>The server's log file and anything it wrote to stdout/stderr, for failure messages.</summary>
    public string Diagnostics()
    {
        var log = File.Exists(LogPath) ? Tail(ReadShared(LogPath), 8000) : "(no log file)";
        string consoleText;
        lock (console)
        {
            consoleText = console.ToString();
        }

        return $"--- {LogPath} ---\n{log}" + (consoleText.Length == 0 ? string.Empty : $"\n--- redis-server console ---\n{Tail(consoleText, 4000)}");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        ownDirectory?.Dispose();
    }

    private void Start(string executable, int? busPort)
    {
        var arguments = new List<string>
        {
            "--bind", Host,
            "--save", string.Empty,
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", Directory,
            "--logfile", LogPath,
        };
        if (settings.Tls is { } tls)
        {
            arguments.AddRange(
            [
                "--port", "0",
                "--tls-port", Port.ToString(CultureInfo.InvariantCulture),
                "--tls-cert-file", tls.Server.CertificatePath,
                "--tls-key-file", tls.Server.KeyPath,
                "--tls-ca-cert-file", tls.CaCertificatePath,
                "--tls-auth-clients", tls.RequiredClient is null ? "no" : "yes",
            ]);
        }
        else
        {
            arguments.AddRange(["--port", Port.ToString(CultureInfo.InvariantCulture)]);
        }

        if (busPort is { } bus)
        {
            arguments.AddRange(
            [
                "--cluster-enabled", "yes",
                "--cluster-port", bus.ToString(CultureInfo.InvariantCulture),
                "--cluster-config-file", Path.Combine(Directory, "nodes.conf"),
                "--cluster-node-timeout", "5000",
            ]);
        }

        arguments.AddRange(settings.Arguments);

        var startInfo = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        lock (console)
        {
            console.Clear();
        }

        var started = new Process { StartInfo = startInfo };
        started.OutputDataReceived += (_, e) => AppendConsole(e.Data);
        started.ErrorDataReceived += (_, e) => AppendConsole(e.Data);
        started.Start();
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        Running[started.Id] = started;
        process = started;
    }

    /// <summary>Null once the server answers PING; otherwise why it never did.</summary>
    private async Task<string?> WaitUntilAnsweringAsync()
    {
        var deadline = Stopwatch.StartNew();
        Exception? lastError = null;
        while (deadline.Elapsed < StartupDeadline)
        {
            if (process is null || process.HasExited)
            {
                return $"the process exited with code {process?.ExitCode}";
            }

            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var reply = await SendAsync(attempt.Token, "PING");

                // NOAUTH: alive, but the default user is disabled or password-protected by the test's own arguments.
                if (reply == "+PONG" || reply.StartsWith("-NOAUTH", StringComparison.Ordinal))
                {
                    return null;
                }

                lastError = new IOException($"PING answered '{reply}'");
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                lastError = e;
            }

            await Task.Delay(50);
        }

        return $"no answer to PING within {StartupDeadline} (last error: {lastError?.Message})";
    }

    private void AppendConsole(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (console)
        {
            console.AppendLine(line);
        }
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Tail(string text, int length) =>
        text.Length <= length ? text : "..." + text[^length..];
}
