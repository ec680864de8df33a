using System.Text.Json;
using Google.Protobuf.Reflection;
using Vigil.Contracts;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Rules;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// A rule testing false or 0 matches only events that carry false or 0: on protobuf events (optional fields), on JSON
/// documents, and on Elastic Defend documents read through the ECS JSON reader.
/// </summary>
public sealed class PresenceTests
{
    public static TheoryData<string> PresenceQueries => new()
    {
        "any where process.code_signature.trusted == false",
        "any where process.code_signature.exists == false",
        "any where process.args_count <= 2",
        "any where process.exit_code == 0",
        "any where destination.bytes == 0",
        "any where Persistence.keepalive == false",
        "any where event.sequence == 0",
    };

    [Theory]
    [MemberData(nameof(PresenceQueries))]
    public void AFalseOrZeroTestDoesNotMatchAnEventWithoutTheField(string query)
    {
        var bare = Telemetry.Event("e1", 1, "process", e =>
        {
            e.Event.ClearSequence();
            e.Process = new Process { Name = "curl", CodeSignature = new CodeSignature { SigningId = "com.apple.curl" } };
            e.Destination = new Endpoint { Ip = "10.0.0.1" };
            e.Persistence = new Persistence { Name = "com.example.agent" };
        });

        Assert.False(Run.Compile(query).Matches(bare));
        Assert.False(EqlCompiler.Compile(query, TelemetrySchemas.Json).Matches(JsonOf(bare)));
    }

    [Theory]
    [MemberData(nameof(PresenceQueries))]
    public void AFalseOrZeroTestMatchesAnEventThatCarriesFalseOrZero(string query)
    {
        var zero = Telemetry.Event("e1", 1, "process", e =>
        {
            e.Event.Sequence = 0;
            e.Process = new Process { Name = "curl", ArgsCount = 0, ExitCode = 0, CodeSignature = new CodeSignature { Exists = false, Trusted = false } };
            e.Destination = new Endpoint { Bytes = 0 };
            e.Persistence = new Persistence { Keepalive = false };
        });

        Assert.True(Run.Compile(query).Matches(zero));
        Assert.True(EqlCompiler.Compile(query, TelemetrySchemas.Json).Matches(JsonOf(zero)));
        Assert.True(Run.Compile(query).Matches(EcsJson.Parse<TelemetryEvent>(EcsJson.Format(zero))));
    }

    [Fact]
    public void AQuarantineRemovalByAnUntrustedProcessMatchesOnTheElasticDocument()
    {
        const string query = """
            file where event.action == "extended_attributes_delete" and host.os.type == "macos" and
              (process.code_signature.trusted == false or process.code_signature.exists == false) and
              not file.path like "/private/var/folders/*"
            """;
        var text = System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "elastic-8x", "extended-attributes-delete.json"));

        Assert.True(Run.Compile(query).Matches(EcsJson.Parse<TelemetryEvent>(text)));
        Assert.True(EqlCompiler.Compile(query, TelemetrySchemas.Json).Matches(JsonDocument.Parse(text).RootElement.Clone()));
    }

    [Theory]
    [InlineData("elastic-8x/launch-daemon.json", """file where event.action == "launch_daemon" and (Persistence.runatload == true or Persistence.keepalive == true) and Persistence.args : "/Users/Shared/*" """)]
    [InlineData("elastic-8x/tcc-modify.json", """configuration where event.action == "tcc_modify" and Tcc.right == "allowed" and Tcc.update_type == "create" and Effective_process.name == "osascript" """)]
    [InlineData("elastic-8x/gatekeeper-override.json", """configuration where event.action == "gatekeeper_override" and file.path like "/Users/*/Downloads/*" """)]
    [InlineData("elastic-8x/dns-lookup-result.json", """network where event.action == "lookup_result" and process.code_signature.exists == false and dns.question.name like~ "*ipify.org*" and dns.resolved_ip == "172.67.74.152" """)]
    [InlineData("elastic-8x/od-group-add.json", """configuration where event.type == "change" and event.action == "od_group_add" and group.name : "admin" """)]
    [InlineData("elastic-8x/file-rename.json", """file where event.action == "rename" and file.Ext.original.path == "/tmp/.u.part" and Effective_process.pid == 3052 """)]
    [InlineData("elastic-8x/process-exec.json", """process where process.Ext.trusted == false and process.exit_code == 0 and user.id == "501" and group.name == "staff" and data_stream.dataset == "endpoint.events.process" and process.Ext.ancestry == "ODc2NTQzMjEwLTEtMTczMDY0MDAwMA==" """)]
    [InlineData("elastic-7x/process-exec.json", """process where process.code_signature.trusted == false and process.args_count <= 3 and process.exit_code == 0 and user.id == "0" """)]
    public void ElasticDocumentsOfTheNewEventKindsMatchRulesWrittenForThem(string fixture, string query)
    {
        var text = System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture));

        Assert.True(Run.Compile(query).Matches(EcsJson.Parse<TelemetryEvent>(text)));
        Assert.True(EqlCompiler.Compile(query, TelemetrySchemas.Json).Matches(JsonDocument.Parse(text).RootElement.Clone()));
    }

    [Fact]
    public void EveryLeafFieldOfTheContractResolvesAndReadsOnBothSchemas()
    {
        var paths = LeafPaths(TelemetryEvent.Descriptor, string.Empty, depth: 0).ToList();
        var empty = new TelemetryEvent();
        var emptyJson = JsonDocument.Parse("{}").RootElement.Clone();

        Assert.True(paths.Count > 300, $"only {paths.Count} paths");
        foreach (var path in paths)
        {
            Assert.True(TelemetrySchemas.Fields.TryResolve(path, out var field, out var problem), $"{path}: {problem}");
            Assert.True(TelemetrySchemas.Protobuf.CreateAccessor(field, path)(empty).IsNull, path);
            Assert.True(TelemetrySchemas.Json.CreateAccessor(field, path)(emptyJson).IsNull, path);
        }
    }

    [Fact]
    public void TheUnmappedMapIsNotAQueryableField()
    {
        Assert.False(TelemetrySchemas.Fields.TryResolve("unmapped.observer.type", out _, out var problem));
        Assert.Contains("no place for", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadingAnOptionalFieldAllocatesNothing()
    {
        var query = Run.Compile("process where process.code_signature.trusted == false and process.args_count <= 2 and process.exit_code == 0");
        var e = Telemetry.Event("e1", 1, "process", x => x.Process = new Process { ArgsCount = 1, ExitCode = 0, CodeSignature = new CodeSignature { Trusted = false } });
        var bare = Telemetry.Process("e2", 2, "zsh");
        query.Matches(e);
        query.Matches(bare);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matched = 0;
        for (var i = 0; i < 1000; i++)
        {
            matched += (query.Matches(e) ? 1 : 0) + (query.Matches(bare) ? 1 : 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, matched);
    }

    private static JsonElement JsonOf(TelemetryEvent e) => JsonDocument.Parse(EcsJson.Format(e)).RootElement.Clone();

    /// <summary>ECS paths of every comparable leaf, descending into each message (recursive shapes to a fixed depth).</summary>
    private static IEnumerable<string> LeafPaths(MessageDescriptor message, string prefix, int depth)
    {
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            var name = (prefix.Length, field.Name) switch
            {
                (0, "timestamp") => "@timestamp",
                (_, "ext") => "Ext",
                _ => field.Name,
            };
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (field.IsMap)
            {
                continue;
            }

            if (field.FieldType == FieldType.Message)
            {
                if (!field.IsRepeated && depth < 3)
                {
                    foreach (var leaf in LeafPaths(field.MessageType, path, depth + 1))
                    {
                        yield return leaf;
                    }
                }

                continue;
            }

            if (!field.IsRepeated || field.FieldType == FieldType.String)
            {
                yield return path;
            }
        }
    }
}
