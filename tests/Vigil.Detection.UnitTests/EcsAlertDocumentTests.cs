using System.Text.Json;
using Vigil.Contracts.Telemetry;
using Vigil.Detection.UnitTests.Support;

namespace Vigil.Detection.UnitTests;

/// <summary>Alerts written as Elastic Security alert documents (kibana.alert.*), as Kafka Connect would index them.</summary>
public sealed class EcsAlertDocumentTests
{
    private static readonly DateTimeOffset Start = new(2025, 11, 20, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ASequenceAlertIsABuildingBlockPerEventAndASequenceDocumentWithKibanaFieldNamesAndIsoTimes()
    {
        var alert = Assert.Single(RulePacks.Detect(RulePacks.Of("installer-network").Rules, [Shell(), Curl()]));

        var documents = EcsAlertDocuments.Write(alert).Select(d => JsonDocument.Parse(d).RootElement).ToList();

        Assert.Equal(3, documents.Count);
        var (blocks, sequence) = (documents[..2], documents[2]);
        Assert.Equal(alert.Id, Text(sequence, "kibana", "alert", "uuid"));
        Assert.Equal("99239e7d-b0d4-46e3-8609-acafcf99f68c", Text(sequence, "kibana", "alert", "rule", "rule_id"));
        Assert.Equal("MacOS Installer Package Spawns Network Event", Text(sequence, "kibana", "alert", "rule", "name"));
        Assert.Equal("eql", Text(sequence, "kibana", "alert", "rule", "type"));
        Assert.Equal("medium", Text(sequence, "kibana", "alert", "rule", "severity"));
        Assert.Equal(47, Get(sequence, "kibana", "alert", "rule", "risk_score").GetInt32());
        Assert.Equal("1", Text(sequence, "kibana", "alert", "rule", "version"));
        Assert.Equal(("open", "active"), (Text(sequence, "kibana", "alert", "workflow_status"), Text(sequence, "kibana", "alert", "status")));
        Assert.Equal("2025-11-20T14:00:00.000Z", Text(sequence, "kibana", "alert", "original_time"));
        Assert.Equal(["shell", "curl"], Get(sequence, "kibana", "alert", "ancestors").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        Assert.Equal("signal", Text(sequence, "event", "kind"));
        Assert.Equal(("mac-42", "root"), (Text(sequence, "host", "id"), Text(sequence, "user", "name")));
        Assert.False(sequence.TryGetProperty("destination", out _), "the sequence document keeps only the fields its events share");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", sequence.GetProperty("@timestamp").GetString());

        Assert.All(blocks, b => Assert.Equal("default", Text(b, "kibana", "alert", "building_block_type")));
        Assert.Equal([0, 1], blocks.Select(b => Get(b, "kibana", "alert", "group", "index").GetInt32()));
        Assert.All(blocks, b => Assert.Equal(Text(sequence, "kibana", "alert", "group", "id"), Text(b, "kibana", "alert", "group", "id")));
        Assert.Equal("cdn-updates.example", Text(blocks[1], "destination", "domain"));
        Assert.Equal("connection_attempted", Text(blocks[1], "kibana", "alert", "original_event", "action"));
        Assert.Equal(EcsAlertDocuments.Write(alert), EcsAlertDocuments.Write(alert));
    }

    private static JsonElement Get(JsonElement element, params string[] path) => path.Aggregate(element, (e, p) => e.GetProperty(p));

    private static string? Text(JsonElement element, params string[] path) => Get(element, path).GetString();

    private static TelemetryEvent Shell() => Event("shell", 0, "process", "exec", new Process
    {
        EntityId = "bash-1", Name = "bash", Executable = "/bin/bash",
        Parent = new Process { Name = "installer", Executable = "/usr/sbin/installer" },
    });

    private static TelemetryEvent Curl()
    {
        var e = Event("curl", 4, "network", "connection_attempted", new Process { EntityId = "curl-1", Name = "curl", Executable = "/usr/bin/curl" });
        e.Destination = new Endpoint { Domain = "cdn-updates.example", Ip = "203.0.113.7", Port = 443 };
        return e;
    }

    private static TelemetryEvent Event(string id, int at, string category, string action, Process process) => new()
    {
        Timestamp = Start.AddSeconds(at).ToUnixTimeMilliseconds() * 1_000_000,
        Event = new Event { Id = id, Category = { category }, Type = { "start" }, Action = action, Kind = "event", Dataset = "endpoint.events.process" },
        Host = new Host { Id = "mac-42", Name = "mac-42", Os = new Os { Type = "macos" } },
        User = new User { Id = "0", Name = "root" },
        Process = process,
    };
}
