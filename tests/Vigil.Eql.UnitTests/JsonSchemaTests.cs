using System.Text.Json;
using Google.Protobuf;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Eql.UnitTests;

/// <summary>The same query over JSON documents, as exported by Elastic or written by protobuf's JSON mapping.</summary>
public sealed class JsonSchemaTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static bool Matches(string query, JsonElement document) => EqlCompiler.Compile(query, TelemetrySchemas.Json).Matches(document);

    [Fact]
    public void NestedEcsDocumentsWithExtObjectsAreRead()
    {
        var document = Json("""
            {"@timestamp": "2024-01-01T00:00:05.123456789Z",
             "event": {"category": ["process"], "type": ["start"], "id": "x", "sequence": 3},
             "process": {"name": "bash", "Ext": {"effective_parent": {"executable": "/Applications/Installer.app"}}},
             "file": {"Ext": {"original": {"path": "/tmp/old"}}}}
            """);

        Assert.True(Matches("process where process.Ext.effective_parent.executable == \"/Applications/Installer.app\" and file.Ext.original.path == \"/tmp/old\"", document));
        Assert.True(Matches("process where event.sequence == 3 and @timestamp == 1704067205123456789", document));
    }

    [Fact]
    public void DottedKeysAreReadAtAnyLevel()
    {
        var document = Json("""{"event.category": "process", "process.name": "bash", "process": {"parent.name": "installer"}, "host": {"os.type": "macos"}}""");

        Assert.True(Matches("process where process.name == \"bash\" and process.parent.name == \"installer\" and host.os.type == \"macos\"", document));
    }

    [Fact]
    public void ProtobufJsonNamesAndStringEncodedIntegersAreRead()
    {
        var e = Telemetry.Process("p", 1, "curl");
        e.Process.CommandLine = "curl -s https://x";
        e.Process.Pid = 42;
        var camel = Json(JsonFormatter.Default.Format(e));

        Assert.True(Matches("process where process.command_line == \"curl -s https://x\" and process.pid == 42", camel));
        Assert.Equal(JsonValueKind.String, camel.GetProperty("process").GetProperty("pid").ValueKind);
    }

    [Fact]
    public void TimestampsMayBeIsoStringsEpochMillisecondsOrEpochNanoseconds()
    {
        const string query = "sequence [process where process.name == \"A\"] [process where process.name == \"B\"]";
        var engine = new SequenceEngine<JsonElement>(EqlCompiler.Compile(query, TelemetrySchemas.Json));
        var runner = new InMemorySequenceRunner<JsonElement>(engine);
        runner.Process(Json("""{"@timestamp": 1704067200000, "event": {"category": "process", "id": "a"}, "process": {"name": "A"}}"""));
        runner.Process(Json("""{"@timestamp": "2024-01-01T00:00:01+00:00", "event": {"category": "process", "id": "b"}, "process": {"name": "B"}}"""));

        var match = Assert.Single(runner.Flush());
        Assert.Equal(Telemetry.At(0), match.FirstTimestamp);
        Assert.Equal(Telemetry.At(1), match.LastTimestamp);
    }

    [Fact]
    public void EmptyAndNullValuesReadAsMissing()
    {
        var document = Json("""{"event": {"category": ["process"]}, "process": {"name": "", "executable": null, "args": []}}""");

        Assert.True(Matches("process where process.name == null and process.executable == null and process.args == null", document));
    }

    [Fact]
    public void JsonAndProtobufAgreeOnEveryOperatorSample()
    {
        var formatter = new JsonFormatter(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
        var e = Telemetry.Event("e", 1, "process", ev =>
        {
            ev.Event.Type.Add(["start", "info"]);
            ev.Process = new Process { Name = "Safari", Pid = 42, Args = { "-o", "/tmp/x" }, CodeSignature = new CodeSignature { Trusted = true } };
            ev.Destination = new Endpoint { Ip = "10.1.2.3", Port = 443 };
        });
        var json = Json(formatter.Format(e));
        string[] conditions =
        [
            "process.name : \"saf*\"", "event.type == \"info\"", "process.args : \"/tmp/*\"", "process.pid > 41",
            "process.code_signature.trusted", "cidrMatch(destination.ip, \"10.0.0.0/8\")", "file.path == null",
            "destination.port in (80, 443)", "not process.name in (\"Safari\")", "length(process.name) == 6",
        ];

        foreach (var condition in conditions)
        {
            var text = $"any where {condition}";
            Assert.Equal(Run.Compile(text).Matches(e), EqlCompiler.Compile(text, TelemetrySchemas.Json).Matches(json));
        }
    }
}
