using System.Text.Json;
using Vigil.Contracts;
using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim.UnitTests;

public sealed class EcsJsonTests
{
    private const long Epoch2025 = 1_735_689_600_000_000_000; // 2025-01-01T00:00:00Z in ns

    [Fact]
    public void AFullyPopulatedEventRoundTrips()
    {
        var original = FullEvent();

        var parsed = EcsJson.Parse<TelemetryEvent>(EcsJson.Format(original));

        Assert.Equal(original, parsed);
    }

    [Fact]
    public void FieldsAreWrittenUnderTheirEcsNames()
    {
        using var json = JsonDocument.Parse(EcsJson.Format(FullEvent()));
        var root = json.RootElement;

        Assert.Equal("2025-01-01T00:00:00.123Z", root.GetProperty("@timestamp").GetString());
        Assert.Equal("bash", root.GetProperty("process").GetProperty("parent").GetProperty("name").GetString());
        Assert.Equal("Automator Application Stub", root.GetProperty("process").GetProperty("Ext").GetProperty("effective_parent").GetProperty("name").GetString());
        Assert.Equal("cffaedfe", root.GetProperty("file").GetProperty("Ext").GetProperty("header_bytes").GetString());
        Assert.Equal(["curl", "-o", "/tmp/x"], root.GetProperty("process").GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(3, root.GetProperty("process").GetProperty("args_count").GetInt64());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("event").GetProperty("sequence").ValueKind);
        Assert.Equal("2025-01-01T00:00:00.100Z", root.GetProperty("process").GetProperty("start").GetString());
    }

    [Fact]
    public void TimestampsUseAsManyFractionDigitsAsTheyNeed()
    {
        Assert.Equal("2025-01-01T00:00:00.000Z", FormattedTimestamp(Epoch2025));
        Assert.Equal("2025-01-01T00:00:00.123Z", FormattedTimestamp(Epoch2025 + 123_000_000));
        Assert.Equal("2025-01-01T00:00:00.123456Z", FormattedTimestamp(Epoch2025 + 123_456_000));
        Assert.Equal("2025-01-01T00:00:00.123456789Z", FormattedTimestamp(Epoch2025 + 123_456_789));
    }

    [Fact]
    public void UnsetAndDefaultFieldsAreLeftOut()
    {
        var e = new TelemetryEvent { Process = new Process { Name = "curl", CodeSignature = new CodeSignature() } };

        var json = EcsJson.Format(e);

        Assert.Equal("""{"process":{"name":"curl","code_signature":{}}}""", json);
    }

    [Fact]
    public void DottedAndNestedKeysAddressTheSameFields()
    {
        var json = """
            {
              "@timestamp": 1735689600123,
              "process.parent.name": "zsh",
              "process": { "pid": 42, "parent.pid": 7, "Ext.effective_parent": { "name": "osascript" } },
              "host.os.type": "macos",
              "event.category": "process"
            }
            """;

        var e = EcsJson.Parse<TelemetryEvent>(json);

        Assert.Equal(Epoch2025 + 123_000_000, e.Timestamp);
        Assert.Equal("zsh", e.Process.Parent.Name);
        Assert.Equal(7, e.Process.Parent.Pid);
        Assert.Equal(42, e.Process.Pid);
        Assert.Equal("osascript", e.Process.Ext.EffectiveParent.Name);
        Assert.Equal("macos", e.Host.Os.Type);
        Assert.Equal(["process"], e.Event.Category);
    }

    [Fact]
    public void ExtIsReadWhicheverCaseItIsWrittenIn()
    {
        var upper = EcsJson.Parse<TelemetryEvent>("""{"file":{"Ext":{"header_bytes":"cafebabe"}}}""");
        var lower = EcsJson.Parse<TelemetryEvent>("""{"file.ext.header_bytes":"cafebabe"}""");

        Assert.Equal("cafebabe", upper.File.Ext.HeaderBytes);
        Assert.Equal(upper, lower);
    }

    [Theory]
    [InlineData("2025-01-01T00:00:00.123456789Z", 123_456_789)]
    [InlineData("2025-01-01T02:00:00.5+02:00", 500_000_000)]
    [InlineData("2025-01-01T00:00:00", 0)]
    [InlineData("1735689600000", 0)]
    public void TimestampsAreReadFromIsoTextOrEpochMilliseconds(string text, long nanosAfterEpoch2025)
    {
        var e = EcsJson.Parse<TelemetryEvent>($$"""{"@timestamp":"{{text}}"}""");

        Assert.Equal(Epoch2025 + nanosAfterEpoch2025, e.Timestamp);
    }

    [Fact]
    public void UnknownFieldsAreKeptUnmapped()
    {
        var e = EcsJson.Parse<TelemetryEvent>("""{"observer":{"type":"edr"},"process":{"name":"curl","io":{"text":"x"}},"cloud.provider":"aws"}""");

        var expected = new TelemetryEvent { Process = new Process { Name = "curl" } };
        expected.Unmapped.Add(new Dictionary<string, string> { ["observer.type"] = "\"edr\"", ["process.io.text"] = "\"x\"", ["cloud.provider"] = "\"aws\"" });
        Assert.Equal(expected, e);
    }

    [Theory]
    [InlineData("""{"process":{"parent":{"pid":"abc"}}}""", "$.process.parent.pid")]
    [InlineData("""{"process.parent.pid":true}""", "$.process.parent.pid")]
    [InlineData("""{"event":{"category":["process",{"a":5}]}}""", "$.event.category[1]")]
    [InlineData("""{"process":{"name":{"first":"x"}}}""", "$.process.name")]
    [InlineData("""{"@timestamp":"yesterday"}""", "$.@timestamp")]
    [InlineData("""{"process":"curl"}""", "$.process")]
    [InlineData("""{"process.name.first":"x"}""", "$.process.name")]
    public void ATypeMismatchNamesTheJsonPathOfTheValue(string json, string path)
    {
        var error = Assert.Throws<EcsJsonException>(() => EcsJson.Parse<TelemetryEvent>(json));

        Assert.Equal(path, error.Path);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedJsonIsReportedAsAnEcsJsonException()
    {
        var error = Assert.Throws<EcsJsonException>(() => EcsJson.Parse<TelemetryEvent>("""{"process": """));

        Assert.StartsWith("$", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void NullsAndProtoStyleNumericStringsAreAccepted()
    {
        var e = EcsJson.Parse<TelemetryEvent>("""{"process":{"pid":"4242","name":null},"event.sequence":"9"}""");

        Assert.Equal(4242, e.Process.Pid);
        Assert.Equal("", e.Process.Name);
        Assert.Equal(9, e.Event.Sequence);
    }

    [Fact]
    public void AnAlertWithEvidenceRoundTrips()
    {
        var alert = new Vigil.Contracts.Alerts.Alert
        {
            Id = "a1",
            Rule = new Vigil.Contracts.Alerts.Rule { Id = "r", AnalyticId = "AN0167", RiskScore = 47 },
            FirstEventTime = Epoch2025,
        };
        alert.Evidence.Add(new Vigil.Contracts.Alerts.Evidence { Step = 1, Event = FullEvent() });

        var json = EcsJson.Format(alert);

        Assert.Contains("\"@timestamp\":\"2025-01-01T00:00:00.123Z\"", json, StringComparison.Ordinal);
        Assert.Equal(alert, EcsJson.Parse<Vigil.Contracts.Alerts.Alert>(json));
    }

    private static string FormattedTimestamp(long nanos)
    {
        using var json = JsonDocument.Parse(EcsJson.Format(new TelemetryEvent { Timestamp = nanos }));
        return json.RootElement.GetProperty("@timestamp").GetString()!;
    }

    private static TelemetryEvent FullEvent()
    {
        var e = new TelemetryEvent
        {
            Timestamp = Epoch2025 + 123_000_000,
            Event = new Event { Id = "e1", Sequence = 12, Action = "exec", Kind = "event", Dataset = "endpoint.events.process", Ingested = Epoch2025 + 123_456_789 },
            Host = new Host { Id = "H1", Name = "mac-1", Os = new Os { Type = "macos", Version = "15.2" }, Architecture = "arm64" },
            User = new User { Id = "501", Name = "alice", Group = new Group { Id = "20", Name = "staff" } },
            Process = new Process
            {
                EntityId = "p1",
                Pid = 4242,
                Name = "curl",
                Executable = "/usr/bin/curl",
                ArgsCount = 3,
                CommandLine = "curl -o /tmp/x",
                Start = Epoch2025 + 100_000_000,
                CodeSignature = new CodeSignature { Exists = true, Trusted = true, SigningId = "com.apple.curl" },
                Parent = new Process { EntityId = "p0", Pid = 7, Name = "bash" },
                Ext = new ProcessExt { EffectiveParent = new Process { Name = "Automator Application Stub" } },
            },
            File = new Vigil.Contracts.Telemetry.File { Path = "/tmp/x", Name = "x", Size = 5, Ext = new FileExt { HeaderBytes = "cffaedfe", Quarantined = true } },
            Network = new Network { Transport = "tcp", Protocol = "http", Direction = "egress" },
            Source = new Vigil.Contracts.Telemetry.Endpoint { Ip = "10.0.0.2", Port = 50123, Bytes = 300 },
            Destination = new Vigil.Contracts.Telemetry.Endpoint { Ip = "45.9.148.7", Port = 80, Domain = "x.top", Bytes = 90000 },
            Dns = new Dns { Question = new DnsQuestion { Name = "x.top", Type = "A" } },
            Dll = new Dll { Name = "a.sh", Path = "/tmp/a.sh", CodeSignature = new CodeSignature() },
            Agent = new Agent { Id = "ag", Type = "endpoint", Version = "8.17.4" },
        };
        e.Event.Category.Add("process");
        e.Event.Type.Add("start");
        e.Process.Args.AddRange(["curl", "-o", "/tmp/x"]);
        e.Host.Ip.Add("10.0.0.2");
        e.Dns.ResolvedIp.AddRange(["45.9.148.7", "45.9.148.8"]);
        return e;
    }
}
