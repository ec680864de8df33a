using Vigil.Baseline.Learning;

namespace Vigil.Baseline.UnitTests;

public sealed class FleetContributionTests
{
    [Fact]
    public void ContributionsAddUpToTheSameTotalInAnyOrder()
    {
        var parts = Enumerable.Range(0, 4).Select(Part).ToList();

        var forward = new FleetContribution();
        parts.ForEach(forward.Add);
        var backward = new FleetContribution();
        Enumerable.Reverse(parts).ToList().ForEach(backward.Add);

        foreach (var total in new[] { forward, backward })
        {
            Assert.Equal(4 * 3, total.Observations);
            Assert.Equal(100, total.FirstSeen);
            Assert.Equal(402, total.LastSeen);
            Assert.Equal(new ProtocolCount(4 * 3, 100), total.Protocols["tcp/https/well-known"]);
            Assert.Equal(4, total.Destinations.Count);
            Assert.Equal(12, total.SentPerConnection.Count);
        }

        Assert.Equal(forward.SentPerConnection.Mean, backward.SentPerConnection.Mean, 12);
        Assert.Equal(forward.SentPerConnection.Variance, backward.SentPerConnection.Variance, 12);
    }

    private static FleetContribution Part(int i)
    {
        var part = new FleetContribution();
        for (var j = 0; j < 3; j++)
        {
            part.Observations++;
            part.Sighted((100 * (i + 1)) + j);
            part.AddProtocol(ProtocolSignature.Of("tcp", "https", 443), (100 * (i + 1)) + j);
            part.SentPerConnection = part.SentPerConnection.Add(1_000 * (i + 1) * (j + 1));
        }

        part.Destinations.Add($"host-{i}.example.com:443");
        return part;
    }
}
