namespace Vigil.Cli.UnitTests;

public sealed class TopicsApplyOptionsTests
{
    [Fact]
    public void WithoutOptionsTheManifestIsFoundAsUsualAndTheWaitIsTwoMinutes()
    {
        var options = Parse("topics", "apply");

        Assert.Equal(new TopicsApplyOptions(null, null, null, TimeSpan.FromMinutes(2), false), options);
    }

    [Fact]
    public void EveryOptionIsReadInBothSpellings()
    {
        var options = Parse("topics", "apply", "--manifest", "/app/deploy/topics.json", "--bootstrap=kafka:9092", "--replication-factor", "1", "--wait=90s", "--strict");

        Assert.Equal(new TopicsApplyOptions("/app/deploy/topics.json", "kafka:9092", 1, TimeSpan.FromSeconds(90), true), options);
    }

    [Theory]
    [InlineData("--replication-factor=0", "--replication-factor must be a whole number of at least 1")]
    [InlineData("--replication-factor=three", "--replication-factor must be a whole number of at least 1")]
    [InlineData("--wait=soon", "--wait must be a duration")]
    [InlineData("--wait", "--wait needs a value")]
    [InlineData("--manifest", "--manifest needs a value")]
    [InlineData("--replicas=3", "Unknown option --replicas")]
    public void UnusableOptionsAreRejectedWithTheReason(string option, string reason)
    {
        Assert.False(TopicsApplyOptions.TryParse(CliArguments.Parse(["topics", "apply", option]), out _, out var error));
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void KafkaSettingsPassThroughAsConfigurationNotOptions()
    {
        var args = CliArguments.Parse(["topics", "apply", "--Kafka:SecurityProtocol=sasl_ssl", "--Kafka:SaslPasswordFile", "/etc/vigil/kafka/password"]);

        Assert.True(TopicsApplyOptions.TryParse(args, out _, out _));
        Assert.Equal(["--Kafka:SecurityProtocol=sasl_ssl", "--Kafka:SaslPasswordFile=/etc/vigil/kafka/password"], args.Configuration);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("45s", 45_000)]
    [InlineData("3m", 180_000)]
    [InlineData("20", 20_000)]
    public void DurationsTakeAUnitOrMeanSeconds(string text, int milliseconds)
    {
        Assert.True(CliDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("1h")]
    [InlineData("1.5s")]
    public void MalformedOrZeroDurationsAreRejected(string text) => Assert.False(CliDuration.TryParse(text, out _));

    private static TopicsApplyOptions Parse(params string[] args)
    {
        Assert.True(TopicsApplyOptions.TryParse(CliArguments.Parse(args), out var options, out var error), error);
        return options;
    }
}
