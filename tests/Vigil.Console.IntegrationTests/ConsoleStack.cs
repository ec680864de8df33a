using File = System.IO.File;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Correlator;
using Vigil.Messaging.Kafka;
using Vigil.Messaging;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Console.IntegrationTests;

/// <summary>
/// The whole path an analyst sees, for one test class: the embedded broker, a real redis-server, a correlator running the
/// repository's installer-network pack, a console reading the alert topic, and Debian's chromium driven by Playwright.
/// The console allows triage only with its change token (loopback allowance off), as a deployed console would.
/// </summary>
public sealed class ConsoleStack : IAsyncLifetime
{
    public const string Token = "s3cret-change-token";
    public const string ChromiumPath = "/usr/bin/chromium";
    private readonly EmbeddedKafkaBroker broker = new();
    private readonly List<WebApplication> apps = [];
    private RedisServer? redis;
    private DirectoryInfo? workDir;
    private KafkaProducerHandle? producer;
    private IPlaywright? playwright;
    private ServiceProcess? baseline;

    public TestTopics Topics { get; private set; } = null!;

    public string ConsoleUrl { get; private set; } = string.Empty;

    public string CorrelatorUrl { get; private set; } = string.Empty;

    public string BaselineUrl { get; private set; } = string.Empty;

    public string BaselineGrpcUrl { get; private set; } = string.Empty;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The embedded broker's bootstrap servers, for services a test starts on its own.</summary>
    public string BootstrapServers => broker.BootstrapServers;

    /// <summary>The stack's redis-server (tests use key prefixes of their own).</summary>
    public string RedisEndpoint => redis!.Endpoint;

    /// <summary>The topic manifest every service of the stack reads (with the console's group).</summary>
    public string ManifestPath { get; private set; } = string.Empty;

    public WebApplication Console => apps[^1];

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: `make test` installs Debian's chromium (apt-get install chromium chromium-driver).");
        }

        redis = await RedisServer.StartAsync();
        Topics = new TestTopics(broker, "console", telemetryPartitions: 4,
        [
            new ConsumerGroupDeclaration("vigil.correlator", "correlator", "installer-network", []),
            new ConsumerGroupDeclaration("vigil.baseline", "baseline", "an1227", []),
        ]);
        await Topics.CreateAsync();
        workDir = Directory.CreateTempSubdirectory("vigil-console-");
        var manifest = WriteManifestWithConsoleGroup(workDir.FullName);
        ManifestPath = manifest;
        var tokenFile = Path.Combine(workDir.FullName, "change-token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        string[] kafka =
        [
            $"--Kafka:BootstrapServers={broker.BootstrapServers}",
            $"--Kafka:TopicManifest={manifest}",
            "--Kafka:Consumer:MaxBatchWait=00:00:00.020",
            "--Kafka:Consumer:SessionTimeoutMs=6000",
            "--Kafka:Consumer:CommitIntervalMs=300",
            $"--Redis:Endpoints:0={redis.Endpoint}",
            "--Vigil:LogFormat=simple",
            "--Logging:LogLevel:Default=Warning",
        ];

        var correlator = CorrelatorApp.Build(
        [
            "--analytic", "installer-network",
            "--rules", Path.Combine(TestPaths.RepoRoot, "rules", "installer-network"),
            "--urls", "http://127.0.0.1:0",
            "--Correlator:QuietHostScanInterval=00:00:00.100",
            .. kafka,
        ]);
        CorrelatorUrl = await StartAsync(correlator);

        // The baseline runs as its own process, as deployed: its gRPC API is what the console's AN1227 view calls.
        // Profiles mature quickly here (20 observations over 5 minutes of event time, 10 s volume buckets).
        var (baselineHttp, baselineGrpc) = (FreePorts.One(), FreePorts.One());
        BaselineUrl = $"http://127.0.0.1:{baselineHttp}";
        BaselineGrpcUrl = $"http://127.0.0.1:{baselineGrpc}";
        baseline = ServiceProcess.Start(TestPaths.ServiceAssembly("Vigil.Baseline", "vigil-baseline"),
        [
            "--urls", BaselineUrl, "--grpc-url", $"http://127.0.0.1:{baselineGrpc}",
            "--Baseline:MinObservations=20", "--Baseline:MinAge=00:05:00", "--Baseline:BucketWidth=00:00:10",
            "--Baseline:MinVolumeSamples=20", "--Baseline:VolumeFloorBytes=10000", "--Baseline:HostStateRetention=01:00:00",
            .. kafka,
        ]);
        await Eventually.TrueAsync(() => baseline.HasExited || Answers(baselineGrpc), TimeSpan.FromSeconds(60), "the baseline listens");
        if (baseline.HasExited)
        {
            throw new InvalidOperationException($"vigil-baseline exited: {baseline.Stderr}");
        }

        var console = ConsoleApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--rules", Path.Combine(TestPaths.RepoRoot, "rules"),
            "--metrics", $"correlator-installer-network={CorrelatorUrl}/metrics",
            "--metrics", $"baseline={BaselineUrl}/metrics",
            "--baseline", $"http://127.0.0.1:{baselineGrpc}",
            "--Console:AllowLoopbackChanges=false",
            $"--Console:ChangeTokenFile={tokenFile}",
            "--Console:RefreshInterval=00:00:00.500",
            "--Console:ScrapeInterval=00:00:00.500",
            "--Console:StallAfter=00:00:30",
            .. kafka,
        ]);
        ConsoleUrl = await StartAsync(console);

        producer = new KafkaProducerHandle(
            new KafkaClientConfigFactory(Options.Create(new KafkaOptions { BootstrapServers = broker.BootstrapServers })),
            new KafkaMetrics(IsolatedMetrics.Factory()),
            NullLogger<KafkaProducerHandle>.Instance);
        playwright = await Playwright.CreateAsync();
        // Playwright starts chromium with a fresh temporary --user-data-dir of its own on every launch.
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A browser context of its own (no cookies shared with other tests), 1400 px wide like an analyst's screen.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 }, BaseURL = ConsoleUrl });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the login form with the change token.</summary>
    public static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/login");
        await page.FillAsync("#token", Token);
        await page.ClickAsync("#sign-in");
        await page.WaitForSelectorAsync(".access.rw");
    }

    public Task PublishTelemetryAsync(params TelemetryEvent[] events) =>
        new KafkaTopicPublisher<TelemetryEvent>(producer!, new ProtobufRecordCodec<TelemetryEvent>(FixedSchemaId(TelemetryEvent.Descriptor)), Topics.Telemetry)
            .PublishBatchAsync(events.Select(e => KeyValuePair.Create(e.Host.Id, e)).ToList());

    public Task PublishAlertsAsync(IReadOnlyList<Alert> alerts) =>
        new KafkaTopicPublisher<Alert>(producer!, new ProtobufRecordCodec<Alert>(FixedSchemaId(Alert.Descriptor)), Topics.Alerts)
            .PublishBatchAsync(alerts.Select(a => KeyValuePair.Create(a.Host.Id, a)).ToList());

    // Frame records as Vigil's own producers do without a Schema Registry: each contract's fixed id, which is the
    // only id the services' decoders accept on that topic (an alert framed with telemetry's id is skipped as unknown).
    private static int FixedSchemaId(Google.Protobuf.Reflection.MessageDescriptor message) =>
        SchemaRegistryServiceCollectionExtensions.DefaultFixedSchemaIds[message.FullName];

    /// <summary>Where a test's screenshots go: VIGIL_CONSOLE_SCREENSHOTS (docs/images when refreshing the docs), else a temporary folder.</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = Environment.GetEnvironmentVariable("VIGIL_CONSOLE_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "vigil-console-screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    private async Task<string> StartAsync(WebApplication app)
    {
        apps.Add(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
    }

    internal static bool Answers(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private string WriteManifestWithConsoleGroup(string directory)
    {
        // TestTopics declares groups on the telemetry topic; the console's group reads this test's alert topic.
        var path = Topics.WriteManifest(directory);
        var document = JsonNode.Parse(File.ReadAllText(path))!;
        document["consumerGroups"]!.AsArray().Add(new JsonObject
        {
            ["name"] = $"vigil.console.{Guid.NewGuid():N}",
            ["service"] = "console",
            ["topics"] = new JsonArray(Topics.Alerts),
        });
        File.WriteAllText(path, document.ToJsonString());
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        foreach (var app in Enumerable.Reverse(apps))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        producer?.Dispose();
        if (baseline is not null)
        {
            await baseline.TerminateAsync(TimeSpan.FromSeconds(15));
            await baseline.DisposeAsync();
        }

        if (redis is not null)
        {
            await redis.DisposeAsync();
        }

        await broker.DisposeAsync();
        workDir?.Delete(recursive: true);
    }
}
