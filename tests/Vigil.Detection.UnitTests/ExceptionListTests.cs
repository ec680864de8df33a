using Vigil.Contracts.Telemetry;
using Vigil.Detection.UnitTests.Support;

namespace Vigil.Detection.UnitTests;

/// <summary>
/// Kibana exception list exports (NDJSON) referenced from a rule's exceptions_list, filtering events with Elastic's
/// semantics, in a backtest of a two-step sequence: an excepted event never takes part in it.
/// </summary>
public sealed class ExceptionListTests : IDisposable
{
    private const string Rule = """
        [rule]
        description = "curl execs, then connects."
        language = "eql"
        name = "Curl connects"
        risk_score = 21
        rule_id = "5e0b5c0e-0000-4000-8000-00000000e1e1"
        severity = "low"
        type = "eql"
        exceptions_list = [
          { id = "0c7a1f30-aaaa-4bbb-8ccc-000000000001", list_id = "macos-tuning", namespace_type = "single", type = "detection" },
        ]
        query = '''
        sequence by host.id with maxspan=30s
          [process where event.action == "exec" and process.name == "curl"]
          [network where event.type == "start"]
        '''
        """;

    private const string ListHeader =
        """{"_version":"WzEsMV0=","created_at":"2025-01-10T10:00:00.000Z","created_by":"elastic","description":"macOS tuning","id":"0c7a1f30-aaaa-4bbb-8ccc-000000000001","immutable":false,"list_id":"macos-tuning","name":"macOS tuning","namespace_type":"single","os_types":[],"tags":[],"tie_breaker_id":"t","type":"detection","updated_at":"2025-01-10T10:00:00.000Z","updated_by":"elastic","version":1}""";

    private const string Summary =
        """{"exported_exception_list_count":1,"exported_exception_list_item_count":1,"missing_exception_list_item_count":0,"missing_exception_list_items":[],"missing_exception_lists":[],"missing_exception_lists_count":0}""";

    private static readonly DateTimeOffset Start = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);
    private readonly string root = Directory.CreateTempSubdirectory("vigil-exception-lists-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void AMatchItemRemovesTheConnectionItNamesSoTheNextOneCompletesTheSequence()
    {
        var pack = Load(Item("""[{"field":"destination.domain","operator":"included","type":"match","value":"mirror.corp.example"}]"""));

        var alerts = Detect(pack, Exec("x", 0), Connect("allowed", 1, domain: "mirror.corp.example"), Connect("evil", 2, domain: "evil.example"));

        Assert.Equal(["x", "evil"], Assert.Single(alerts).EvidenceIds());
    }

    [Fact]
    public void MatchIsExactAndCaseSensitiveAsMatchPhraseOnAKeywordField()
    {
        var pack = Load(Item("""[{"field":"destination.domain","operator":"included","type":"match","value":"mirror.corp.example"}]"""));

        Assert.Single(Detect(pack, Exec("x", 0), Connect("upper", 1, domain: "MIRROR.corp.example")));
    }

    [Fact]
    public void EntriesOfAnItemMustAllHoldOnOneEventAndItemsAreAlternatives()
    {
        var pack = Load(
            Item("""[{"field":"user.name","operator":"included","type":"match","value":"root"},{"field":"destination.domain","operator":"included","type":"match_any","value":["a.kandji.io","b.kandji.io"]}]""", "i1"),
            Item("""[{"field":"destination.port","operator":"included","type":"match","value":"8443"}]""", "i2"));

        Assert.Empty(Detect(pack, Exec("x", 0), Connect("c", 1, domain: "b.kandji.io", user: "root")));
        Assert.Empty(Detect(pack, Exec("x", 0), Connect("c", 1, domain: "evil.example", port: 8443)));
        Assert.Single(Detect(pack, Exec("x", 0), Connect("c", 1, domain: "b.kandji.io", user: "alice")));
    }

    [Fact]
    public void WildcardMatchesAreCaseSensitiveAndExcludedMeansIsNot()
    {
        var pack = Load(Item("""[{"field":"destination.domain","operator":"included","type":"wildcard","value":"*.jamfcloud.com"},{"field":"process.parent.executable","operator":"excluded","type":"match","value":"/bin/zsh"}]"""));

        Assert.Empty(Detect(pack, Exec("x", 0), Connect("c", 1, domain: "eu.jamfcloud.com")));
        Assert.Single(Detect(pack, Exec("x", 0), Connect("c", 1, domain: "eu.JAMFCLOUD.com")));
        Assert.Single(Detect(pack, Exec("x", 0), Connect("c", 1, domain: "eu.jamfcloud.com", parent: "/bin/zsh")));
    }

    [Fact]
    public void DoesNotExistHoldsForEventsWithoutTheField()
    {
        // Connections to a bare address (no domain) are allowed; the exec, which has no domain either, must stay.
        var notExists = Load(Item("""[{"field":"event.action","operator":"included","type":"match","value":"connection_attempted"},{"field":"destination.domain","operator":"excluded","type":"exists"}]"""));
        Assert.Empty(Detect(notExists, Exec("x", 0), Connect("c", 1, domain: "")));
        Assert.Single(Detect(notExists, Exec("x", 0), Connect("c", 1, domain: "evil.example")));
    }

    [Fact]
    public void IsInListReadsAFileBackedValueListOfAddressesAndRanges()
    {
        var pack = Load(
            Item("""[{"field":"destination.ip","operator":"included","type":"list","list":{"id":"corp-ranges.txt","type":"ip_range"}}]"""),
            valueLists: new() { ["corp-ranges.txt"] = "10.20.0.0/16\n192.0.2.10-192.0.2.20\n" });

        Assert.Empty(Detect(pack, Exec("x", 0), Connect("c", 1, ip: "10.20.7.7")));
        Assert.Empty(Detect(pack, Exec("x", 0), Connect("c", 1, ip: "192.0.2.15")));
        Assert.Single(Detect(pack, Exec("x", 0), Connect("c", 1, ip: "192.0.2.21")));
    }

    [Fact]
    public void NestedEntriesHoldTogetherOnTheNestedObject()
    {
        var pack = Load(Item("""[{"field":"process.code_signature","type":"nested","entries":[{"field":"team_id","operator":"included","type":"match","value":"ABCDE12345"},{"field":"trusted","operator":"included","type":"match","value":"true"}]}]"""));

        Assert.Empty(Detect(pack, Exec("x", 0), Connect("c", 1, teamId: "ABCDE12345", trusted: true)));
        Assert.Single(Detect(pack, Exec("x", 0), Connect("c", 1, teamId: "ABCDE12345", trusted: false)));
    }

    [Fact]
    public void OsTypesLimitAnItemToThoseHostsAndAnExpiredItemNoLongerApplies()
    {
        var windowsOnly = Load(Item("""[{"field":"destination.domain","operator":"included","type":"match","value":"evil.example"}]""", osTypes: """["windows"]"""));
        Assert.Single(Detect(windowsOnly, Exec("x", 0), Connect("c", 1, domain: "evil.example")));

        var expiring = Load(Item("""[{"field":"destination.domain","operator":"included","type":"match","value":"evil.example"}]""", expireTime: Start.AddSeconds(30)));
        Assert.Empty(Detect(expiring, Exec("x", 0), Connect("c", 1, domain: "evil.example")));
        Assert.Single(Detect(expiring, Exec("x", 40), Connect("c", 41, domain: "evil.example")));
    }

    [Fact]
    public void AReferenceToAListNoExportDefinesFailsAtItsLine()
    {
        var problem = Assert.Throws<RulePackException>(() => Load()).Problems.Single();

        Assert.EndsWith("rule0.toml:10:3: exceptions_list names list_id 'macos-tuning' (single), which no exception list export defines: put Kibana's export (*.ndjson) in an 'exceptions' folder of the rule pack", problem);
    }

    [Fact]
    public void AValueListThatIsNotOnDiskAndAFieldTheContractLacksFailAtLineAndColumn()
    {
        var problems = Assert.Throws<RulePackException>(() => Load(
            Item("""[{"field":"destination.ip","operator":"included","type":"list","list":{"id":"gone.txt","type":"ip"}}]""", "i1"),
            Item("""[{"field":"destination.nmae","operator":"included","type":"match","value":"x"}]""", "i2"))).Problems;

        Assert.Collection(
            problems,
            p => Assert.Matches(@"tuning\.ndjson:2:\d+: value list 'gone.txt' is not on disk", p),
            p => Assert.Matches(@"tuning\.ndjson:3:\d+: exception entry on 'destination.nmae': unknown field", p));
    }

    private static List<Contracts.Alerts.Alert> Detect(AnalyticPack pack, params TelemetryEvent[] events) => RulePacks.Detect(pack.Rules, events);

    private static string Item(string entries, string id = "i1", string osTypes = "[]", DateTimeOffset? expireTime = null) =>
        $$"""{"comments":[],"description":"d","entries":{{entries}},"item_id":"{{id}}","list_id":"macos-tuning","name":"item {{id}}","namespace_type":"single","os_types":{{osTypes}},"tags":[],"type":"simple"{{(expireTime is { } t ? $",\"expire_time\":\"{t:yyyy-MM-ddTHH:mm:ss.fffZ}\"" : string.Empty)}}}""";

    private AnalyticPack Load(params string[] items) => Load(items, null);

    private AnalyticPack Load(string item, Dictionary<string, string>? valueLists) => Load([item], valueLists);

    private AnalyticPack Load(string[] items, Dictionary<string, string>? valueLists)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, Guid.NewGuid().ToString("N"), "test")).FullName;
        System.IO.File.WriteAllText(Path.Combine(folder, "rule0.toml"), Rule);
        if (items.Length > 0)
        {
            var exceptions = Directory.CreateDirectory(Path.Combine(folder, "exceptions")).FullName;
            System.IO.File.WriteAllLines(Path.Combine(exceptions, "tuning.ndjson"), [ListHeader, .. items, Summary]);
            foreach (var (name, text) in valueLists ?? [])
            {
                Directory.CreateDirectory(Path.Combine(exceptions, "value_lists"));
                System.IO.File.WriteAllText(Path.Combine(exceptions, "value_lists", name), text);
            }
        }

        return AnalyticPack.Load("test", folder, RulePacks.Lateness);
    }

    private static TelemetryEvent Exec(string id, int at) => Event(id, at, "process", "exec", "/usr/bin/curl");

    private static TelemetryEvent Connect(
        string id, int at, string domain = "evil.example", string ip = "203.0.113.7", int port = 443, string user = "alice",
        string parent = "/bin/bash", string? teamId = null, bool trusted = false)
    {
        var e = Event(id, at, "network", "connection_attempted", parent);
        e.Destination = new Endpoint { Domain = domain, Ip = ip, Port = port };
        e.User = new User { Name = user };
        if (teamId is not null)
        {
            e.Process.CodeSignature = new CodeSignature { Exists = true, TeamId = teamId, Trusted = trusted };
        }

        return e;
    }

    private static TelemetryEvent Event(string id, int at, string category, string action, string parent) => new()
    {
        Timestamp = Start.AddSeconds(at).ToUnixTimeMilliseconds() * 1_000_000,
        Event = new Event { Id = id, Category = { category }, Type = { "start" }, Action = action },
        Host = new Host { Id = "host-1", Name = "mac-1", Os = new Os { Type = "macos" } },
        User = new User { Name = "alice" },
        Process = new Process { EntityId = "p1", Name = "curl", Executable = "/usr/bin/curl", Parent = new Process { Executable = parent } },
    };
}
