using Vigil.Messaging;

namespace Vigil.Cli.UnitTests;

public sealed class TopicManifestTests
{
    private const string CoreTopics = """
        { "role": "telemetry", "name": "t.telemetry", "partitions": 4, "replicationFactor": 1, "key": "host.id", "valueMessage": "m" },
        { "role": "alerts", "name": "t.alerts", "partitions": 2, "replicationFactor": 1, "key": "host.id", "valueMessage": "m" },
        { "role": "dead-letter", "name": "t.dlq", "partitions": 2, "replicationFactor": 1, "key": "k", "valueMessage": "m" }
        """;

    [Fact]
    public void RawTopicsAreListedWithTheFormatIngestReadsThemAs()
    {
        var manifest = Parse(
            """
            { "role": "raw", "name": "r.elastic", "partitions": 4, "replicationFactor": 1, "key": "host.id", "valueMessage": "json", "format": "elastic" },
            { "role": "raw", "name": "r.eslogger", "partitions": 4, "replicationFactor": 1, "key": "host.id", "valueMessage": "json", "format": "eslogger" }
            """,
            """{ "name": "g.ingest", "service": "ingest", "topics": ["r.elastic", "r.eslogger"] }""");

        Assert.Equal([("r.elastic", "elastic"), ("r.eslogger", "eslogger")], manifest.RawTopics.Select(t => (t.Name, t.Format)));
        Assert.Equal(["r.elastic", "r.eslogger"], manifest.ConsumerGroup("ingest").Topics);
        Assert.Equal("t.telemetry", manifest.Topic(TopicRole.Telemetry).Name);
    }

    [Fact]
    public void AManifestWithoutRawTopicsIsStillValid() => Assert.Empty(Parse("", "").RawTopics);

    [Fact]
    public void ARawTopicWithoutAFormatIsRejectedByName()
    {
        var error = Assert.Throws<InvalidDataException>(() => Parse(
            """{ "role": "raw", "name": "r.elastic", "partitions": 4, "replicationFactor": 1, "key": "host.id", "valueMessage": "json" }""", ""));
        Assert.Contains("'r.elastic' needs a 'format'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFormatOnTheCanonicalTopicIsRejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => TopicManifest.Parse(
            """
            { "topics": [
              { "role": "telemetry", "name": "t.telemetry", "partitions": 4, "replicationFactor": 1, "key": "host.id", "valueMessage": "m", "format": "elastic" },
              { "role": "alerts", "name": "t.alerts", "partitions": 2, "replicationFactor": 1, "key": "host.id", "valueMessage": "m" },
              { "role": "dead-letter", "name": "t.dlq", "partitions": 2, "replicationFactor": 1, "key": "k", "valueMessage": "m" } ],
              "consumerGroups": [] }
            """,
            "inline"));
        Assert.Contains("only raw topics", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATopicDeclaredTwiceIsRejected()
    {
        var raw = """{ "role": "raw", "name": "r.elastic", "partitions": 4, "replicationFactor": 1, "key": "host.id", "valueMessage": "json", "format": "elastic" }""";
        var error = Assert.Throws<InvalidDataException>(() => Parse(raw + "," + raw, ""));
        Assert.Contains("'r.elastic' is declared twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRepositoryManifestDeclaresRawTopicsReadByTheIngestGroup()
    {
        var manifest = TopicManifest.LoadDefault();

        Assert.Contains(manifest.RawTopics, t => t.Format == "elastic");
        Assert.Equal(manifest.RawTopics.Select(t => t.Name).Order(), manifest.ConsumerGroup("ingest").Topics.Order());
    }

    private static TopicManifest Parse(string rawTopics, string groups) => TopicManifest.Parse(
        $$"""
        { "topics": [ {{CoreTopics}} {{(rawTopics.Length > 0 ? "," + rawTopics : "")}} ], "consumerGroups": [ {{groups}} ] }
        """,
        "inline");
}
