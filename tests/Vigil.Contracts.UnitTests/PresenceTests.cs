using System.Text.Json;
using Google.Protobuf;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.UnitTests;

/// <summary>False and 0 are values, distinct from "absent", through protobuf, ECS JSON and back.</summary>
public sealed class PresenceTests
{
    private static TelemetryEvent FalseAndZero() => new()
    {
        Event = new Event { Sequence = 0 },
        Process = new Process
        {
            Pid = 0,
            ArgsCount = 0,
            ExitCode = 0,
            Interactive = false,
            CodeSignature = new CodeSignature { Exists = false, Trusted = false, Valid = false },
            Ext = new ProcessExt { Trusted = false },
        },
        File = new Vigil.Contracts.Telemetry.File { Size = 0, Ext = new FileExt { Quarantined = false } },
        Destination = new Endpoint { Port = 0, Bytes = 0, Packets = 0 },
        Network = new Network { Bytes = 0, Packets = 0 },
        Persistence = new Persistence { Runatload = false, Keepalive = false },
    };

    [Fact]
    public void FalseAndZeroSurviveAProtobufRoundTrip()
    {
        var original = FalseAndZero();

        var decoded = TelemetryEvent.Parser.ParseFrom(original.ToByteArray());

        Assert.Equal(original, decoded);
        Assert.True(decoded.Process.CodeSignature.HasTrusted);
        Assert.True(decoded.Process.HasExitCode);
        Assert.True(decoded.Destination.HasBytes);
        Assert.False(new TelemetryEvent { Process = new Process() }.Process.HasExitCode);
    }

    [Fact]
    public void FalseAndZeroAreWrittenToJsonAndReadBack()
    {
        var original = FalseAndZero();

        var json = EcsJson.Format(original);
        using var document = JsonDocument.Parse(json);

        var process = document.RootElement.GetProperty("process");
        Assert.Equal(JsonValueKind.False, process.GetProperty("code_signature").GetProperty("trusted").ValueKind);
        Assert.Equal(0, process.GetProperty("exit_code").GetInt64());
        Assert.Equal(0, process.GetProperty("args_count").GetInt64());
        Assert.Equal(JsonValueKind.False, document.RootElement.GetProperty("Persistence").GetProperty("runatload").ValueKind);
        Assert.Equal(0, document.RootElement.GetProperty("event").GetProperty("sequence").GetInt64());
        Assert.Equal(original, EcsJson.Parse<TelemetryEvent>(json));
    }

    [Fact]
    public void AbsentFieldsStayAbsentThroughJson()
    {
        var original = new TelemetryEvent { Process = new Process { Name = "curl", CodeSignature = new CodeSignature { SigningId = "x" } } };

        var json = EcsJson.Format(original);
        var read = EcsJson.Parse<TelemetryEvent>(json);

        Assert.Equal("""{"process":{"name":"curl","code_signature":{"signing_id":"x"}}}""", json);
        Assert.False(read.Process.CodeSignature.HasTrusted);
        Assert.False(read.Process.HasPid);
    }

    [Fact]
    public void CapitalisedElasticObjectsAreWrittenUnderElasticsSpelling()
    {
        var e = new TelemetryEvent
        {
            EffectiveProcess = new Process { Name = "osascript" },
            Tcc = new Tcc { Service = "SystemPolicyAllFiles" },
            Target = new Target { Process = new Process { Ext = new ProcessExt { AuthenticationId = "1" } } },
        };

        Assert.Equal(
            """{"Effective_process":{"name":"osascript"},"Tcc":{"service":"SystemPolicyAllFiles"},"Target":{"process":{"Ext":{"authentication_id":"1"}}}}""",
            EcsJson.Format(e));
    }
}
