using static Vigil.Eql.UnitTests.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>A classification carried in a few bits (the correlator's consume thread hands it to its handler) reads back as it was.</summary>
public sealed class EventClassificationPackingTests
{
    private const string Query = """
        sequence by host.id with maxspan=1m
          [process where process.name == "bash"]
          [process where process.name == "curl"]
          [process where process.name in ("bash", "zsh")]
        until [process where process.name == "logout"]
        """;

    [Theory]
    [InlineData("bash")]
    [InlineData("curl")]
    [InlineData("zsh")]
    [InlineData("logout")]
    [InlineData("ls")]
    public void APackedClassificationReadsBackTheStepsAndUntilItHad(string name)
    {
        var query = Run.Compile(Query);
        var classification = query.Classify(Process("e1", 1, name));

        Assert.True(classification.TryPack(19, out var bits));

        Assert.Equal(classification, EventClassification.Unpack(bits | ~0UL << 19, 19));
        Assert.Equal(classification.IsRelevant, bits != 0);
    }

    [Fact]
    public void AClassificationWhoseStepsDoNotFitIsNotPacked()
    {
        var query = Run.Compile(Query);
        var bash = query.Classify(Process("e1", 1, "bash"));

        // bash satisfies the first and third steps: bits 0 and 2, which two bits cannot hold.
        Assert.False(bash.TryPack(3, out _));
        Assert.True(bash.TryPack(4, out _));
    }
}
