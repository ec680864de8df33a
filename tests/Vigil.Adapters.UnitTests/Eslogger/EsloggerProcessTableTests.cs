using System.Text;

namespace Vigil.Adapters.UnitTests.Eslogger;

/// <summary>The adapter's process table stays within its bounds and says what it evicted.</summary>
public sealed class EsloggerProcessTableTests
{
    [Fact]
    public void AHostKeepsAtMostItsCapacityAndTheOldestProcessGoesFirst()
    {
        var adapter = new EsloggerAdapter(new EsloggerAdapterOptions { ProcessesPerHost = 3 });
        for (var pid = 100; pid < 105; pid++)
        {
            Assert.Single(adapter.Adapt(Exec("h1", pid, ["tool", $"--run={pid}"])).Events);
        }

        Assert.Equal(3, adapter.Processes.CountFor("h1"));
        Assert.Equal(2, adapter.Processes.ProcessEvictions);

        // The evicted process still gets its entity id, only its arguments are no longer known.
        var evicted = Assert.Single(adapter.Adapt(Open("h1", 100)).Events);
        Assert.Equal(EsloggerEntityIds.For("h1", 100, 1), evicted.Process.EntityId);
        Assert.Empty(evicted.Process.Args);
        var kept = Assert.Single(adapter.Adapt(Open("h1", 104)).Events);
        Assert.Equal("tool --run=104", kept.Process.CommandLine);
    }

    [Fact]
    public void TheLeastRecentlyActiveHostIsDroppedWhenTooManyHostsAreKept()
    {
        var adapter = new EsloggerAdapter(new EsloggerAdapterOptions { MaxHosts = 2 });
        adapter.Adapt(Exec("h1", 10, ["a"]));
        adapter.Adapt(Exec("h2", 10, ["b"]));
        adapter.Adapt(Open("h1", 10));
        adapter.Adapt(Exec("h3", 10, ["c"]));

        Assert.Equal(2, adapter.Processes.HostCount);
        Assert.Equal(1, adapter.Processes.HostEvictions);
        Assert.Equal(0, adapter.Processes.CountFor("h2"));
        Assert.Equal(1, adapter.Processes.CountFor("h1"));
    }

    [Fact]
    public void OneBusyHostCannotEvictAnotherHostsProcesses()
    {
        var adapter = new EsloggerAdapter(new EsloggerAdapterOptions { ProcessesPerHost = 2 });
        adapter.Adapt(Exec("quiet", 7, ["daemon"]));
        for (var pid = 1000; pid < 1100; pid++)
        {
            adapter.Adapt(Exec("busy", pid, ["x"]));
        }

        Assert.Equal("daemon", Assert.Single(adapter.Adapt(Open("quiet", 7)).Events).Process.CommandLine);
    }

    [Fact]
    public void EntityIdsAreStablePerHostAndAuditToken()
    {
        Assert.Equal(EsloggerEntityIds.For("h", 1, 2), EsloggerEntityIds.For("h", 1, 2));
        Assert.NotEqual(EsloggerEntityIds.For("h", 1, 2), EsloggerEntityIds.For("h", 1, 3));
        Assert.NotEqual(EsloggerEntityIds.For("h", 1, 2), EsloggerEntityIds.For("g", 1, 2));
        Assert.Equal(24, EsloggerEntityIds.For("h", 1, 2).Length);
    }

    private static string Process(int pid, int pidVersion, string executable) =>
        $$"""{"audit_token":{"pid":{{pid}},"pidversion":{{pidVersion}},"euid":501},"ppid":1,"executable":{"path":"{{executable}}"},"signing_id":"x","codesigning_flags":570425345,"is_platform_binary":false}""";

    private static RawRecord Exec(string host, int pid, string[] args)
    {
        var argv = string.Join(',', args.Select(a => $"\"{a}\""));
        var line = "{\"event_type\":9,\"time\":\"2026-11-20T14:03:01.000000000Z\",\"global_seq_num\":" + pid
            + ",\"process\":" + Process(pid, 0, "/bin/sh")
            + ",\"event\":{\"exec\":{\"target\":" + Process(pid, 1, "/usr/local/bin/tool") + ",\"args\":[" + argv + "],\"cwd\":{\"path\":\"/\"}}}}";
        return new RawRecord(Encoding.UTF8.GetBytes(line), host, "test");
    }

    private static RawRecord Open(string host, int pid)
    {
        var line = "{\"event_type\":10,\"time\":\"2026-11-20T14:03:02.000000000Z\",\"global_seq_num\":" + (pid + 1)
            + ",\"process\":" + Process(pid, 1, "/usr/local/bin/tool")
            + ",\"event\":{\"open\":{\"fflag\":1,\"file\":{\"path\":\"/etc/hosts\"}}}}";
        return new RawRecord(Encoding.UTF8.GetBytes(line), host, "test");
    }
}
