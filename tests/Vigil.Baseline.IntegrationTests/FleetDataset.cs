using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Telemetry;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// A deterministic mix of several hosts' traffic for two images (a signed agent over HTTPS, curl over HTTPS and
/// HTTP) with exec and file events in between that must cost nothing, and the counts a profile must end with.
/// </summary>
internal sealed class FleetDataset
{
    public FleetDataset(int hosts, int connectionsPerHost, long from = Start)
    {
        var random = new Random(11);
        for (var h = 0; h < hosts; h++)
        {
            var mac = new BaselineTelemetry($"mac-{h:D3}");
            var agent = SyncAgent($"agent-{h}");
            var curl = Apple($"curl-{h}", "curl", "/usr/bin/curl");
            Events.Add(mac.Exec(agent, from));
            Events.AddRange(NormalTraffic.Connections(mac, agent, connectionsPerHost, from + (h * Second), 7 * Second, random));
            for (var i = 0; i < connectionsPerHost / 2; i++)
            {
                var time = from + (i * 13 * Second);
                var plain = i % 3 == 0;
                Events.Add(mac.FileOpen(curl, time, $"/Users/alice/Documents/report-{i}.pdf"));
                Events.Add(mac.Connect(curl, time, plain ? "http" : "https", plain ? 80 : 443, $"mirror-{i % 5}.example.net"));
                Events.Add(mac.Disconnect(curl, time + Second, random.Next(500, 5_000), random.Next(10_000, 900_000), plain ? "http" : "https", plain ? 80 : 443, $"mirror-{i % 5}.example.net"));
            }
        }

        AgentObservations = hosts * connectionsPerHost * 2;
        CurlObservations = hosts * (connectionsPerHost / 2);
    }

    public List<TelemetryEvent> Events { get; } = [];

    /// <summary>Lookups and connection starts of the agent: what its profile's observation count must reach.</summary>
    public long AgentObservations { get; }

    public long CurlObservations { get; }

    public const string Agent = "signing:TEAM123456/com.example.sync";

    public const string Curl = "signing:com.apple.curl";
}
