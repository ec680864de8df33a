using Vigil.Testing;

namespace Vigil.Cli.IntegrationTests;

/// <summary>A setting that cannot work ends a service at start with exit code 2 and one line naming the key, never a stack trace.</summary>
public sealed class ConfigurationErrorTests
{
    public static TheoryData<string, string, string[], string> Mistakes() => new()
    {
        { "Vigil.Correlator", "vigil-correlator", ["--analytic", "an0167", "--Redis:Endpoints:0=127.0.0.1:1", "--Kafka:SecurityProtocol=sasl"], "Kafka:SecurityProtocol must be plaintext, ssl, sasl_plaintext or sasl_ssl, not 'sasl'." },
        { "Vigil.Correlator", "vigil-correlator", ["--analytic", "an0167", "--Redis:Endpoints:0=127.0.0.1:1", "--Correlator:QuietHostScanInterval=00:00:00"], "Correlator:QuietHostScanInterval must be positive." },
        { "Vigil.Baseline", "vigil-baseline", ["--urls", "http://127.0.0.1:0", "--grpc-url", "http://127.0.0.1:0", "--Baseline:MinObservations=0"], "Baseline:MinObservations must be at least 1." },
        { "Vigil.Baseline", "vigil-baseline", ["--urls", "http://127.0.0.1:0", "--grpc-url", "http://127.0.0.1:0", "--Redis:Endpoints:0=127.0.0.1:1", "--Redis:User=vigil"], "Redis:User is 'vigil' but neither Redis:Password nor Redis:PasswordFile is set." },
        // A protocol version where its name belongs (the client's connection strings take protocol=3).
        { "Vigil.Correlator", "vigil-correlator", ["--analytic", "an0167", "--Redis:Endpoints:0=127.0.0.1:1", "--Redis:Protocol=3"], "Redis:Protocol: '3' is not one of Resp2, Resp3." },
        // A value the configuration binder cannot convert at all: named as plainly, with what the key takes, not the binder's exception.
        { "Vigil.Baseline", "vigil-baseline", ["--urls", "http://127.0.0.1:0", "--grpc-url", "http://127.0.0.1:0", "--Redis:Endpoints:0=127.0.0.1:1", "--Redis:Protocol=banana"], "Redis:Protocol: 'banana' is not one of Resp2, Resp3." },
        // Values the configuration binder cannot convert, in any section: the key, the value and what the key takes.
        { "Vigil.Baseline", "vigil-baseline", ["--urls", "http://127.0.0.1:0", "--grpc-url", "http://127.0.0.1:0", "--Redis:Endpoints:0=127.0.0.1:1", "--Redis:Mode=clustr"], "Redis:Mode: 'clustr' is not one of Standalone, Cluster." },
        { "Vigil.Baseline", "vigil-baseline", ["--urls", "http://127.0.0.1:0", "--grpc-url", "http://127.0.0.1:0", "--Baseline:MinAge=2d"], "Baseline:MinAge: '2d' is not a duration written as [d.]hh:mm:ss[.fff], e.g. 00:00:05 for five seconds." },
        { "Vigil.Correlator", "vigil-correlator", ["--analytic", "an0167", "--Redis:Endpoints:0=127.0.0.1:1", "--Correlator:Lateness=5s"], "Correlator:Lateness: '5s' is not a duration written as [d.]hh:mm:ss[.fff], e.g. 00:00:05 for five seconds." },
        { "Vigil.Correlator", "vigil-correlator", ["--analytic", "an0167", "--Redis:Endpoints:0=127.0.0.1:1", "--Kafka:Consumer:MaxBatchSize=lots"], "Kafka:Consumer:MaxBatchSize: 'lots' is not a whole number from -2147483648 to 2147483647." },
        { "Vigil.Ingest", "vigil-ingest", ["--urls", "http://127.0.0.1:0", "--Kafka:Consumer:MaxBatchWait=soon"], "Kafka:Consumer:MaxBatchWait: 'soon' is not a duration written as [d.]hh:mm:ss[.fff], e.g. 00:00:05 for five seconds." },
        // The tools that start a host for Kafka say it the same way.
        { "Vigil.Cli", "vigil", ["topics", "apply", "--Kafka:SecurityProtocol=sasl"], "Kafka:SecurityProtocol must be plaintext, ssl, sasl_plaintext or sasl_ssl, not 'sasl'." },
        { "Vigil.Cli", "vigil", ["telemetry", "tail", "--Kafka:Consumer:ReadDirect=maybe"], "Kafka:Consumer:ReadDirect: 'maybe' is not true or false." },
        { "Vigil.FleetSim", "fleet-sim", ["--output", "kafka", "--urls", "http://127.0.0.1:0", "--Kafka:Consumer:MaxBatchSize=lots"], "Kafka:Consumer:MaxBatchSize: 'lots' is not a whole number from -2147483648 to 2147483647." },
        { "Vigil.DevCluster", "vigil-devcluster", ["--DevCluster:Brokers=0", "--DevCluster:ControlUrl="], "DevCluster:Brokers must be between 1 and 16." },
        // Two sections wrong at once: both named on the one line.
        { "Vigil.Correlator", "vigil-correlator", ["--analytic", "an0167", "--Correlator:Lateness=-00:00:05"], "Correlator:Lateness must not be negative. Redis:Endpoints is empty: list the Redis server as host:port." },
        // A value that fails validation and one the binder cannot convert, in two sections: both named on the one line.
        { "Vigil.Correlator", "vigil-correlator", ["--analytic", "an0167", "--Redis:Endpoints:0=127.0.0.1:1", "--Correlator:Lateness=-00:00:05", "--Redis:Ssl=yes"], "Correlator:Lateness must not be negative. Redis:Ssl: 'yes' is not true or false." },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task ABadSettingExitsWithCode2AndOneLineNamingTheKey(string project, string assembly, string[] arguments, string problem)
    {
        await using var service = ServiceProcess.Start(TestPaths.ServiceAssembly(project, assembly), arguments);
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        var line = Assert.Single(service.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"{assembly}: configuration error: {problem}", line.Trim());
        // Nor does the log say it: the host never started, so it never logs "Hosting failed to start" with its frames.
        var log = string.Join('\n', service.Lines);
        Assert.DoesNotContain("Hosting failed to start", log, StringComparison.Ordinal);
        Assert.DoesNotContain("OptionsValidationException", log, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string[], string> MistakesOfToolsWithAUsageLine() => new()
    {
        { "Vigil.Agent", "vigil-agent", ["--Agent:HostId=mac-1", "--Agent:Eslogger:RestartDelay=00:00:00", "--Agent:Buffer:SegmentBytes=10"], "Agent:Eslogger:RestartDelay must be positive. Agent:Buffer:SegmentBytes must be at least 1024." },
        { "Vigil.Agent", "vigil-agent", ["--Agent:HostId=mac-1", "--Agent:Network:Interval=often"], "Agent:Network:Interval: 'often' is not a duration written as [d.]hh:mm:ss[.fff], e.g. 00:00:05 for five seconds." },
        { "Vigil.Console", "vigil-console", ["--urls", "http://127.0.0.1:0", "--Console:MaxAlerts=5"], "Console:MaxAlerts must be between 100 and 1000000 (was 5)." },
    };

    /// <summary>The agent and the console say it the same way, then how they are called.</summary>
    [Theory]
    [MemberData(nameof(MistakesOfToolsWithAUsageLine))]
    public async Task TheAgentAndTheConsoleNameABadSettingAsAConfigurationErrorThenShowTheirUsage(string project, string assembly, string[] arguments, string problem)
    {
        await using var service = ServiceProcess.Start(TestPaths.ServiceAssembly(project, assembly), arguments);
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        var lines = service.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"{assembly}: configuration error: {problem}", lines[0].Trim());
        Assert.StartsWith("Usage: ", lines[1], StringComparison.Ordinal);
    }
}
