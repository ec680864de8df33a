using Vigil.Adapters;

namespace Vigil.Agent.IntegrationTests;

/// <summary>nettop's CSV sample is read into per-process sockets, and successive samples into start and end events.</summary>
public sealed class NetworkSourceTests
{
    [Fact]
    public void ASampleListsEachConnectedOrListeningSocketWithItsProcessAndBytes()
    {
        var sockets = NettopSample.Parse(File.ReadAllText(StandIns.Files("nettop-curl-open.csv")));
        Assert.Equal(4, sockets.Count);
        var curl = sockets[0];
        Assert.Equal((812L, "curl", "tcp", "ipv4"), (curl.Pid, curl.ProcessName, curl.Transport, curl.IpVersion));
        Assert.Equal(("192.168.1.23", 52144L, "203.0.113.50", 443L), (curl.LocalIp, curl.LocalPort, curl.RemoteIp, curl.RemotePort));
        Assert.Equal(("Established", "en0", 53120L, 812L), (curl.State, curl.Interface, curl.BytesIn, curl.BytesOut));
        var listener = Assert.Single(sockets, s => s.State == "Listen");
        Assert.Equal((77L, "*", 22L), (listener.Pid, listener.LocalIp, listener.LocalPort));
        var chrome = Assert.Single(sockets, s => s.Pid == 4410);
        Assert.Equal(("2001:db8::5", 52190L, "2606:4700::6810:84e5", 443L), (chrome.LocalIp, chrome.LocalPort, chrome.RemoteIp, chrome.RemotePort));
    }

    [Fact]
    public void OnlyConnectionsBecomeEventsAStartWhenFirstSeenAndAnEndWithBytesWhenGone()
    {
        var curl = new EsloggerProcessFacts("curl-entity", 812, 2002, "/usr/bin/curl", ["curl", "-O", "https://x"], "/tmp", 0, "zsh-entity", 500, null);
        var tracker = new ConnectionTracker("MAC-1", "alice-mbp", pid => pid == 812 ? curl : null);

        var first = tracker.Observe(NettopSample.Parse(File.ReadAllText(StandIns.Files("nettop-curl-open.csv"))), 1_000);
        Assert.Equal(["connection_attempted", "connection_attempted"], first.Select(e => e.Event.Action));
        Assert.Equal("curl-entity", first[0].Process.EntityId);
        Assert.Equal("curl -O https://x", first[0].Process.CommandLine);
        Assert.Equal("zsh-entity", first[0].Process.Parent.EntityId);
        Assert.Equal(["network"], first[0].Event.Category);
        Assert.Equal(["start"], first[0].Event.Type);
        Assert.Equal(0, first[0].Source.Bytes);

        var second = tracker.Observe(NettopSample.Parse(File.ReadAllText(StandIns.Files("nettop-curl-closed.csv"))), 2_000);
        var end = Assert.Single(second);
        Assert.Equal("disconnect_received", end.Event.Action);
        Assert.Equal(["end"], end.Event.Type);
        Assert.Equal((812L, 53120L, 53932L), (end.Source.Bytes, end.Destination.Bytes, end.Network.Bytes));
        Assert.Equal(2_000, end.Timestamp);
        Assert.Equal(1, tracker.OpenCount);
    }
}
