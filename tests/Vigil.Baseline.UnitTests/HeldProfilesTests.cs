using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;

namespace Vigil.Baseline.UnitTests;

/// <summary>
/// A held profile copy advances only by the batch's own update, and only when no one else wrote the profile between
/// the batch's read and its write; otherwise it is dropped and the profile is read whole next time.
/// </summary>
public sealed class HeldProfilesTests
{
    private static readonly ProcessImage Image = ProcessImage.Signed("TEAM123456", "com.example.sync");
    private static readonly ProtocolSignature Https = ProtocolSignature.Of("tcp", "https", 443);
    private static readonly ProtocolSignature Quic = ProtocolSignature.Of("udp", "quic", 443);
    private static readonly ProtocolSignature Ssh = ProtocolSignature.Of("tcp", "ssh", 22);
    private static readonly BaselineOptions Options = new() { MinObservations = 10, MinAge = TimeSpan.FromMinutes(5), MaxProtocolsPerImage = 2 };

    [Fact]
    public void ACopyAdvancesByTheBatchsOwnContributionWhenNoOneElseWrote()
    {
        var held = new HeldProfiles(limit: 10);
        var profile = Profile(observations: 8);
        held.Keep(Image.Tag, profile, version: 41, protocolKinds: 1);

        held.Applied(Image.Tag, profile, Contribution(observations: 3, Quic), before: 41, after: 42, maturedNow: true, Options);

        Assert.True(held.TryGet(Image.Tag, out var now, out var version));
        Assert.Equal(42, version);
        Assert.Equal(11, now.Observations);
        Assert.True(now.MaturedAt > 0);
        Assert.Equal(2, now.Protocols.Count);
        Assert.Equal(3, now.Protocols[Quic.ToString()].Count);
    }

    [Fact]
    public void ACopyIsDroppedWhenSomeoneElseWroteBetweenTheReadAndTheWrite()
    {
        var held = new HeldProfiles(limit: 10);
        var profile = Profile(observations: 8);
        held.Keep(Image.Tag, profile, version: 41, protocolKinds: 1);

        held.Applied(Image.Tag, profile, Contribution(observations: 1, Https), before: 43, after: 44, maturedNow: false, Options);

        Assert.False(held.TryGet(Image.Tag, out _, out _));
    }

    [Fact]
    public void ACopyIsDroppedWhenTheScriptDisagreesAboutMaturity()
    {
        var held = new HeldProfiles(limit: 10);
        var profile = Profile(observations: 1);
        held.Keep(Image.Tag, profile, version: 41, protocolKinds: 1);

        held.Applied(Image.Tag, profile, Contribution(observations: 1, Https), before: 41, after: 42, maturedNow: true, Options);

        Assert.False(held.TryGet(Image.Tag, out _, out _));
    }

    [Fact]
    public void ProtocolsBeyondTheImagesCapCountAsOverflowAsTheScriptCountsThem()
    {
        var kinds = 2L;
        var profile = Profile(observations: 8) with { Protocols = new Dictionary<string, ProtocolCount> { [Https.ToString()] = new(8, Start), [ProtocolSignature.Of("tcp", "http", 80).ToString()] = new(1, Start) } };

        var after = HeldProfiles.AfterUpdate(profile, ref kinds, Contribution(observations: 4, Ssh), Options, out _);

        Assert.NotNull(after);
        Assert.Equal(2, kinds);
        Assert.False(after.Protocols.ContainsKey(Ssh.ToString()));
        Assert.Equal(4, after.ProtocolOverflow);
    }

    [Fact]
    public void TheOldestCopiesLeaveOverTheLimit()
    {
        var held = new HeldProfiles(limit: 10);
        for (var i = 0; i < 11; i++)
        {
            held.Keep($"tag-{i}", Profile(observations: 1), version: i, protocolKinds: 1);
        }

        Assert.Equal(9, held.Count);
        Assert.False(held.TryGet("tag-0", out _, out _));
        Assert.True(held.TryGet("tag-10", out _, out _));
    }

    private const long Start = 1_740_992_400L * 1_000_000_000;

    private static ProfileSnapshot Profile(long observations) => ProfileSnapshot.Empty(Image) with
    {
        FirstSeen = Start,
        LastSeen = Start + (10L * 60 * 1_000_000_000),
        Observations = observations,
        Protocols = new Dictionary<string, ProtocolCount> { [Https.ToString()] = new(observations, Start) },
    };

    private static FleetContribution Contribution(long observations, ProtocolSignature protocol)
    {
        var contribution = new FleetContribution { Observations = observations };
        contribution.Sighted(Start + (11L * 60 * 1_000_000_000));
        for (var i = 0; i < observations; i++)
        {
            contribution.AddProtocol(protocol, Start + (11L * 60 * 1_000_000_000));
        }

        return contribution;
    }
}
