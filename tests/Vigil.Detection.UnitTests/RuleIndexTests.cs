using Vigil.Contracts.Telemetry;
using Vigil.Detection.UnitTests.Support;
using Vigil.Eql.Sequences;
using Vigil.FleetSim;
using Vigil.Testing;

namespace Vigil.Detection.UnitTests;

/// <summary>
/// The rule index lets an event reach only the rules it could be relevant to. It must never hide a relevant rule: checked
/// against testing every rule, over the repository's packs plus about a hundred Elastic-shaped rules, with generated
/// events built from the values those rules name (in mixed case, with near misses) and with simulated fleet telemetry.
/// </summary>
public sealed class RuleIndexTests : IDisposable
{
    private const int ElasticShapedCount = 96;

    private readonly string folder = Directory.CreateTempSubdirectory("vigil-index-").FullName;

    public RuleIndexTests()
    {
        foreach (var pack in Directory.GetDirectories(RulePacks.Folder))
        {
            CopyFolder(pack, Path.Combine(folder, Path.GetFileName(pack)));
        }

        ElasticShapedRules.Write(Path.Combine(folder, "elastic-shaped"), ElasticShapedCount);
        Pack = AnalyticPack.LoadAll(folder, RulePacks.Lateness);
    }

    private AnalyticPack Pack { get; }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void EveryRuleAnEventIsRelevantToIsAmongItsCandidates()
    {
        var events = GeneratedEvents(new Random(20261205), 40_000);
        var relevantPairs = 0;
        foreach (var e in events)
        {
            var candidates = Pack.Candidates(e).Select(r => r.RuleId).ToHashSet();
            foreach (var rule in Pack.Rules)
            {
                if (rule.Query.Classify(e).IsRelevant)
                {
                    relevantPairs++;
                    Assert.True(candidates.Contains(rule.RuleId), $"{rule.Rule.Name} is relevant to {e} but not a candidate");
                }
            }
        }

        // The generated events must actually exercise the rules, or the check above proves nothing.
        Assert.True(relevantPairs > events.Count / 2, $"only {relevantPairs} relevant (event, rule) pairs");
    }

    [Fact]
    public async Task IndexedMatchingFindsExactlyTheMatchesOfCheckingEveryRule()
    {
        var recording = await SimulationRecording.RunAsync(new FleetSimulationOptions
        {
            Seed = 11,
            Hosts = 40,
            EventsPerSecond = 2000,
            MaxEvents = 30_000,
            ScenarioInterval = TimeSpan.FromSeconds(2),
        });
        var events = recording.Events.Concat(GeneratedEvents(new Random(7), 20_000)).ToList();

        var everyRule = Matches(events, e => Pack.Rules);
        var indexed = Matches(events, e => Pack.Candidates(e));

        Assert.NotEmpty(everyRule);
        Assert.Equal(everyRule, indexed);
    }

    [Fact]
    public void AnEventReachesAFewOfAHundredRules()
    {
        var events = GeneratedEvents(new Random(3), 10_000);
        var reached = events.Sum(e => Pack.Candidates(e).Count);

        TestContext.Current.TestOutputHelper?.WriteLine($"{reached / (double)events.Count:F1} rules per event; indexed: {string.Join(", ", Pack.Index.IndexedFields)}");
        Assert.InRange(Pack.Rules.Count, 100, 110);
        Assert.True(reached / (double)events.Count < Pack.Rules.Count / 5.0, $"{reached / (double)events.Count:F1} rules per event of {Pack.Rules.Count}");
    }

    [Fact]
    public void ARuleWithoutACategoryIsReachedByEventsOfAnyCategoryThatMeetItsConditions()
    {
        // Every other rule of shape 10 of the Elastic-shaped rules: "any where" on a boolean and a number only. The
        // boolean (process.code_signature.exists == false) is all the index can narrow them by.
        var anyWhere = Pack.Rules.Where(r => r.Query.Syntax.Source.Text.StartsWith("any where", StringComparison.Ordinal)).ToArray();
        Assert.Equal(ElasticShapedCount / 24, anyWhere.Length);
        var unsigned = new TelemetryEvent
        {
            Timestamp = 1,
            Event = new Event { Id = "x", Category = { "authentication" } },
            Host = new Host { Id = "h", Os = new Os { Type = "macos" } },
            Process = new Process { ArgsCount = 20, CodeSignature = new CodeSignature { Exists = false } },
        };
        Assert.All(anyWhere, r => Assert.Contains(r, Pack.Candidates(unsigned).ToList()));
        Assert.All(anyWhere, r => Assert.True(r.Query.IsRelevant(unsigned), $"{r.Rule.Name} should match an unsigned process with many arguments"));

        var signed = unsigned.Clone();
        signed.Process.CodeSignature.Exists = true;
        Assert.All(anyWhere, r => Assert.DoesNotContain(r, Pack.Candidates(signed).ToList()));
    }

    /// <summary>Every match of every rule, as "rule: evidence ids", in the order a correlator would see them.</summary>
    private List<string> Matches(IReadOnlyList<TelemetryEvent> events, Func<TelemetryEvent, IEnumerable<CompiledRule>> rulesFor)
    {
        var runners = Pack.Rules.Where(r => !r.IsAggregation).ToDictionary(r => r, r => new InMemorySequenceRunner<TelemetryEvent>(r.Engine));
        var found = new List<string>();
        foreach (var e in events)
        {
            foreach (var rule in rulesFor(e))
            {
                if (rule.Admit(e, out var classification, out _) == RuleInput.Admitted && runners.TryGetValue(rule, out var runner))
                {
                    found.AddRange(runner.Process(e, classification).Select(m => $"{rule.RuleId}: {string.Join(",", m.EventIds)}"));
                }
            }
        }

        found.AddRange(runners.SelectMany(r => r.Value.Flush().Select(m => $"{r.Key.RuleId}: {string.Join(",", m.EventIds)}")));
        return found;
    }

    /// <summary>
    /// Events whose fields take values the rules name (sometimes in another case, sometimes with a suffix or cut short)
    /// or values no rule names, so that both sides of every index entry are exercised.
    /// </summary>
    private static List<TelemetryEvent> GeneratedEvents(Random random, int count)
    {
        string[] categories = ["process", "file", "network", "library", "authentication", "iam"];
        string[] types = ["start", "process_started", "end", "creation", "change", "deletion", "access", "info"];
        string[] actions = ["exec", "fork", "load", "script_load", "lookup_requested", "connection_attempted", "rename", ""];
        string[] browsers = ["Safari", "Google Chrome Helper (Renderer)", "firefox", "installer", "package_script_service"];
        string[] paths = ["/Users/alice/Downloads/x", "/Users/bob/Library/Caches/y", "/tmp/a", "/private/tmp/b", "/Users/alice/Documents/report.docx", "/Users/alice/.ssh/id_rsa", "/var/folders/zz/c"];
        string Word(string[] pool) => pool[random.Next(pool.Length)];
        string Vary(string value) => random.Next(6) switch
        {
            0 => value.ToUpperInvariant(),
            1 => value + "x",
            2 => value.Length > 1 ? value[..^1] : value,
            3 => "other-" + value,
            _ => value,
        };
        string PathLike() => random.Next(3) == 0
            ? Vary(Word(paths))
            : Word(ElasticShapedRules.PathPrefixes).Replace("*", Word(["alice", "bob"]), StringComparison.Ordinal) + Vary(Word(["a.plist", "b.dylib", "c", "payload"]));

        var events = new List<TelemetryEvent>(count);
        var origin = 1_704_067_200_000_000_000L;
        for (var i = 0; i < count; i++)
        {
            var name = random.Next(4) == 0 ? Vary(Word(ElasticShapedRules.ProcessNames)) : Word(ElasticShapedRules.ProcessNames);
            var e = new TelemetryEvent
            {
                Timestamp = origin + (i * 50_000_000L),
                Event = new Event { Id = $"g{i}", Sequence = i, Action = Word(actions) },
                Host = new Host { Id = $"host-{random.Next(8)}", Os = new Os { Type = random.Next(10) == 0 ? "linux" : "macos" } },
                User = new User { Id = Word(["0", "501", "502"]), Name = Word(["root", "alice"]) },
                Process = new Process
                {
                    EntityId = $"p{random.Next(30)}",
                    Name = name,
                    Executable = random.Next(2) == 0 ? PathLike() : "/usr/bin/" + name,
                    Args = { name, Vary(Word(ElasticShapedRules.Arguments)), Word(ElasticShapedRules.Arguments) },
                    ArgsCount = random.Next(1, 9),
                    Parent = new Process { Name = random.Next(2) == 0 ? Vary(Word(ElasticShapedRules.ParentNames)) : Word(browsers) },
                    // Absent now and then: a missing boolean equals neither true nor false.
                    CodeSignature = random.Next(5) == 0 ? null : new CodeSignature { Exists = random.Next(3) != 0, Trusted = random.Next(2) == 0 },
                },
            };
            e.Event.Category.Add(Word(categories));
            e.Event.Type.Add(Word(types));
            if (random.Next(4) == 0)
            {
                e.Event.Type.Add(Word(types));
            }

            switch (e.Event.Category[0])
            {
                case "file":
                    // Names ending in the suffixes rules require (in any case), near misses and names with no extension.
                    e.File = new Vigil.Contracts.Telemetry.File { Path = PathLike(), Name = Vary(Word(["a.plist", "b.dylib", "c.docx", "plist", ".dylib.bak"])) };
                    break;
                case "network":
                    e.Destination = new Endpoint { Ip = Word(["127.0.0.1", "93.184.216.34", "::1"]), Port = new long[] { 80, 443, 8080 }[random.Next(3)], Domain = Vary(Word(ElasticShapedRules.Domains)) };
                    e.Dns = new Dns { Question = new DnsQuestion { Name = random.Next(2) == 0 ? "x." + Word(ElasticShapedRules.Domains) : Vary(Word(ElasticShapedRules.Domains)) } };
                    e.Network = new Network { Protocol = Word(["http", "dns", "ftp", "tls"]) };
                    break;
                case "library":
                    e.Dll = new Dll { Path = PathLike(), Name = "lib.dylib" };
                    break;
            }

            events.Add(e);
        }

        return events;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            System.IO.File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var sub in Directory.GetDirectories(from))
        {
            CopyFolder(sub, Path.Combine(to, Path.GetFileName(sub)));
        }
    }
}
