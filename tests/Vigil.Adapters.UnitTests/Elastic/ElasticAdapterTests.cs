using System.Text;
using Vigil.Adapters;
using Vigil.Contracts;
using Vigil.Contracts.Telemetry;

namespace Vigil.Adapters.UnitTests.Elastic;

public sealed class ElasticAdapterTests
{
    [Fact]
    public void AnEventAsElasticAgentsKafkaOutputWritesItMapsToTheCanonicalEvent()
    {
        var result = ElasticFixtures.AdaptFile("kafka-output-8x-process-exec.json");

        Assert.Empty(result.Rejections);
        var e = Assert.Single(result.Events);
        Assert.Equal(Time("2026-11-30T14:02:11.482Z"), e.Timestamp);
        Assert.Equal(
            new Event
            {
                Id = "NqZz3d2k1Yp4bVt8++++/xyz", Sequence = 40211, Category = { "process" }, Type = { "start" }, Action = "exec", Kind = "event",
                Dataset = "endpoint.events.process", Module = "endpoint", Outcome = "unknown",
            },
            e.Event);
        Assert.Equal("5C3A4F1E-9B2D-5E8A-A1C3-7F0D2E4B6A19", e.Host.Id);
        Assert.Equal("macos", e.Host.Os.Type);
        Assert.Equal(["10.20.30.41", "fe80::1c2b:3d4e:5f60:7182"], e.Host.Ip);
        Assert.Equal("curl", e.Process.Name);
        Assert.Equal(1311, e.Process.Pid);
        Assert.Equal(["curl", "-sSfL", "-o", "/tmp/p", "https://example.invalid/p"], e.Process.Args);
        Assert.Equal(5, e.Process.ArgsCount);
        Assert.Equal("com.apple.curl", e.Process.CodeSignature.SigningId);
        Assert.True(e.Process.CodeSignature.Trusted);
        Assert.Equal(new Process { EntityId = "enNoLWVudGl0eQ==", Pid = 1290, Name = "zsh", Executable = "/bin/zsh", ArgsCount = 1,
            CodeSignature = new CodeSignature { Exists = true, Trusted = true, SigningId = "com.apple.zsh", Status = "No error.", SubjectName = "Software Signing" } },
            e.Process.Parent);
        Assert.Equal("Terminal", e.Process.Ext.EffectiveParent.Name);
        Assert.Equal(new User { Id = "501", Name = "jdoe" }, e.User);
        Assert.Equal("a3c1e6d2-5b4f-4c9a-9f1e-0d7c2b8e4a61", e.Agent.Id);
        Assert.Empty(result.DerivedFields);
    }

    [Fact]
    public void SevenXDocumentsWithoutHostIdTakeItFromAgentIdAndSaySo()
    {
        var results = ElasticFixtures.AdaptLines("export-7x-source-lines.ndjson");

        Assert.All(results, r => Assert.Empty(r.Rejections));
        var events = results.SelectMany(r => r.Events).ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("7f1e2d3c-4b5a-4968-8776-655443322110", e.Host.Id));
        Assert.All(results, r => Assert.Equal(1, r.DerivedFields["host.id from agent.id"]));
    }

    [Fact]
    public void SevenXHostOsTypeIsDerivedFromPlatformOrFamily()
    {
        var results = ElasticFixtures.AdaptLines("export-7x-source-lines.ndjson");

        Assert.All(results, r => Assert.Equal("macos", Assert.Single(r.Events).Host.Os.Type));
        Assert.Equal(1, results[0].DerivedFields["host.os.type from host.os.platform"]);
        Assert.Equal(1, results[1].DerivedFields["host.os.type from host.os.family"]);
    }

    [Fact]
    public void SevenXProcessFileAndNetworkDocumentsKeepTheirFieldsWithScalarCategoriesAndNumericIds()
    {
        var events = ElasticFixtures.AdaptLines("export-7x-source-lines.ndjson").Select(r => Assert.Single(r.Events)).ToList();

        var exec = events[0];
        Assert.Equal(["process"], exec.Event.Category);
        Assert.Equal(["start"], exec.Event.Type);
        Assert.Equal("501", exec.User.Id);
        Assert.Equal(["/bin/sh", "-c", "echo hi"], exec.Process.Args);
        Assert.Equal("launchd", exec.Process.Parent.Name);

        var file = events[1];
        Assert.Equal(["file"], file.Event.Category);
        Assert.Equal(["creation"], file.Event.Type);
        Assert.Equal("/Users/lab/Library/LaunchAgents/com.example.agent.plist", file.File.Path);
        Assert.Equal(512, file.File.Size);
        Assert.Equal(4242, file.Process.Pid);

        var network = events[2];
        Assert.Equal(["network"], network.Event.Category);
        Assert.Equal("connection_attempted", network.Event.Action);
        Assert.Equal(new Endpoint { Ip = "203.0.113.7", Port = 443 }, network.Destination);
        Assert.Equal(50122, network.Source.Port);
        Assert.Equal("tcp", network.Network.Transport);
    }

    [Fact]
    public void ASearchResponseYieldsItsGoodHitsAndRejectsOnlyTheHitWithoutAHost()
    {
        var result = ElasticFixtures.AdaptFile("search-response.json");

        Assert.Equal(3, result.Documents);
        Assert.Equal(["HOST-A", "HOST-A"], result.Events.Select(e => e.Host.Id));
        Assert.Equal(["fork", "lookup_requested"], result.Events.Select(e => e.Event.Action));
        // A hit without event.id takes the document's _id, so alert evidence can point back into Elasticsearch.
        Assert.Equal("hXo1lJMBq2v4k8Tz0aaa", result.Events[0].Event.Id);
        Assert.Equal("updates.example.invalid", result.Events[1].Dns.Question.Name);
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(RejectionReason.MissingHost, rejection.Reason);
        Assert.Equal(1, rejection.DocumentIndex);
        // The rejected hit is kept on its own, as a _source line that can be fixed and replayed.
        Assert.Contains("\"kept-event-id\"", Encoding.UTF8.GetString(rejection.Document.Span), StringComparison.Ordinal);
        Assert.DoesNotContain("hXo1lJMBq2v4k8Tz0aaa", Encoding.UTF8.GetString(rejection.Document.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void HitLinesOfAnExportAreReadLikeBareSourceLines()
    {
        var hit = """{"_index":"logs-endpoint.events.process-default","_id":"abc","_source":{"@timestamp":"2026-11-30T14:05:00Z","event":{"category":"process","type":"start"},"host":{"id":"H"}}}""";

        var e = Assert.Single(new ElasticAdapter().Adapt(new RawRecord(Encoding.UTF8.GetBytes(hit), null, "test")).Events);

        Assert.Equal("abc", e.Event.Id);
        Assert.Equal("H", e.Host.Id);
    }

    [Fact]
    public void DottedAndNestedKeysMixFreely()
    {
        var events = ElasticFixtures.AdaptLines("dotted-keys.ndjson").Select(r => Assert.Single(r.Events)).ToList();

        var exec = events[0];
        Assert.Equal("HOST-D", exec.Host.Id);
        Assert.Equal("macos", exec.Host.Os.Type);
        Assert.Equal(new Process { Name = "Microsoft Word", Pid = 700 }, exec.Process.Parent);
        Assert.Equal(["osascript", "-e", "do shell script"], exec.Process.Args);
        Assert.True(exec.Process.CodeSignature.Trusted);

        var rename = events[1];
        Assert.Equal(Time("2026-11-30T15:00:00.123Z"), rename.Timestamp);
        Assert.Equal("macos", rename.Host.Os.Type);
        Assert.Equal("mac-d", rename.Host.Name);
        Assert.Equal("/Users/d/Downloads/x.docx", rename.File.Ext.Original.Path);
    }

    [Fact]
    public void SeveralDocumentsInOneRecordAreEachRead()
    {
        var bytes = System.IO.File.ReadAllBytes(ElasticFixtures.PathOf("export-7x-source-lines.ndjson"));

        var result = new ElasticAdapter().Adapt(new RawRecord(bytes, null, "whole file"));

        Assert.Equal(3, result.Events.Count);
        Assert.Equal(3, result.DerivedFields["host.id from agent.id"]);
    }

    [Fact]
    public void MalformedDocumentsAreRejectedWithTheirTypedReason()
    {
        var results = ElasticFixtures.AdaptLines("malformed.ndjson");

        Assert.All(results, r => Assert.Empty(r.Events));
        Assert.Equal(
            [
                RejectionReason.Malformed, RejectionReason.NotADocument, RejectionReason.MissingTimestamp, RejectionReason.MissingHost,
                RejectionReason.MissingCategory, RejectionReason.InvalidValue, RejectionReason.InvalidValue,
            ],
            results.Select(r => Assert.Single(r.Rejections).Reason));
        Assert.Contains("process.pid", results[5].Rejections[0].Detail, StringComparison.Ordinal);
        Assert.Contains("@timestamp", results[6].Rejections[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TextAfterAGoodDocumentThatIsNotJsonRejectsOnlyTheRest()
    {
        var record = """{"@timestamp":"2026-11-30T14:05:00Z","event":{"id":"1","category":"process"},"host":{"id":"H"}} {"truncated":""";

        var result = new ElasticAdapter().Adapt(new RawRecord(Encoding.UTF8.GetBytes(record), null, "test"));

        Assert.Single(result.Events);
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(RejectionReason.Malformed, rejection.Reason);
        Assert.Equal(1, rejection.DocumentIndex);
    }

    [Fact]
    public void AnEmptyRecordIsMalformedRatherThanSilentlyNothing()
    {
        var result = new ElasticAdapter().Adapt(new RawRecord(ReadOnlyMemory<byte>.Empty, null, "test"));

        Assert.Equal(RejectionReason.Malformed, Assert.Single(result.Rejections).Reason);
    }

    [Fact]
    public void ADocumentWithoutEventIdGetsTheSameDigestIdEachTimeItIsRead()
    {
        var line = """{"@timestamp":"2026-11-30T14:05:00Z","event":{"category":"process"},"host":{"id":"H"},"process":{"pid":1}}""";
        var adapter = new ElasticAdapter();

        var first = Assert.Single(adapter.Adapt(new RawRecord(Encoding.UTF8.GetBytes(line), null, "a")).Events).Event.Id;
        var again = Assert.Single(adapter.Adapt(new RawRecord(Encoding.UTF8.GetBytes(line), null, "b")).Events).Event.Id;

        Assert.Equal(32, first.Length);
        Assert.Equal(first, again);
    }

    private static long Time(string iso) => EcsTimestamp.TryParse(iso, out var nanos) ? nanos : throw new FormatException(iso);
}
