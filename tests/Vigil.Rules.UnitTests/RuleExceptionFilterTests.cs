using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Rules;

namespace Vigil.Rules.UnitTests;

/// <summary>[vigil] exceptions applied to single events, as Elastic applies exceptions to the events a rule searches.</summary>
public sealed class RuleExceptionFilterTests
{
    private static readonly IReadOnlyList<RuleException> Exceptions =
        Assert.Single(RuleLoader.LoadFile(Fixtures.File("valid", "macos/execution_installer_package_spawned_network_event.toml")).Rules).Vigil.Exceptions;

    private static readonly RuleExceptionFilter<TelemetryEvent> Filter = new(Exceptions, TelemetrySchemas.Protobuf);

    private static TelemetryEvent Exec(string parentExecutable, string user = "alice") => new()
    {
        Event = new Event { Id = "exec", Category = { "process" } },
        Process = new Process { Name = "bash", Parent = new Process { Name = "installer", Executable = parentExecutable } },
        User = new User { Name = user },
    };

    private static TelemetryEvent Connect(string domain, string ip = "203.0.113.9", string user = "alice", string parent = "/bin/bash") => new()
    {
        Event = new Event { Id = "net", Category = { "network" } },
        Process = new Process { Name = "curl", Parent = new Process { Executable = parent } },
        Destination = new Endpoint { Domain = domain, Ip = ip },
        User = new User { Name = user },
    };

    [Fact]
    public void AnExceptionRemovesAnEventThatMeetsEveryCriterionItNames()
    {
        var hit = Filter.FindException(Connect("eu-west.JAMFCLOUD.com", parent: "/usr/local/jamf/bin/jamf"));

        Assert.Equal("[vigil] Jamf-managed package installs fetching from the Jamf cloud", hit?.Name);
    }

    [Fact]
    public void CriteriaMetByDifferentEventsRemoveNeither()
    {
        // The exec meets the parent criterion and the connection the domain one: no single event meets both.
        Assert.Null(Filter.FindException(Exec("/usr/local/jamf/bin/jamf")));
        Assert.Null(Filter.FindException(Connect("x.jamfcloud.com")));
    }

    [Fact]
    public void WildcardsInExecutablePatternsApply()
    {
        Assert.NotNull(Filter.FindException(Connect("x.jamfcloud.com", parent: "/Library/Application Support/JAMF/bin/helper")));
        Assert.Null(Filter.FindException(Connect("evil.example", parent: "/usr/local/jamf/bin/jamf")));
    }

    [Fact]
    public void AddressesMatchCidrBlocksAndUsersMatchByName()
    {
        Assert.NotNull(Filter.FindException(Connect("mirror", ip: "10.20.3.4", user: "_pkgmirror")));
        Assert.NotNull(Filter.FindException(Connect("mirror", ip: "fd00:20::7", user: "_pkgmirror")));
        Assert.Null(Filter.FindException(Connect("mirror", ip: "10.21.3.4", user: "_pkgmirror")));
        Assert.Null(Filter.FindException(Connect("mirror", ip: "10.20.3.4", user: "bob")));
    }

    [Fact]
    public void ValuesWithQuotesAndBackslashesAreMatchedLiterally()
    {
        var filter = new RuleExceptionFilter<TelemetryEvent>(
            [new RuleException(null, [], [@"C:\odd ""quoted"" path"], [], [], [], [], [], [])],
            TelemetrySchemas.Protobuf);

        Assert.NotNull(filter.FindException(Exec(@"C:\odd ""quoted"" path")));
        Assert.Null(filter.FindException(Exec(@"C:\odd path")));
    }

    [Fact]
    public void SigningIdentityAndPathPrefixCriteriaApplyToOneEvent()
    {
        var filter = new RuleExceptionFilter<TelemetryEvent>(
            [new RuleException("Vendor updater", [], [], ["com.vendor.updater"], ["ABCDE12345"], [], ["/Library/Vendor/"], [], [])],
            TelemetrySchemas.Protobuf);
        TelemetryEvent Write(string path) => new()
        {
            Event = new Event { Category = { "file" } },
            Process = new Process { CodeSignature = new CodeSignature { Exists = true, Trusted = true, SigningId = "com.vendor.updater", TeamId = "ABCDE12345" } },
            File = new Vigil.Contracts.Telemetry.File { Path = path },
        };

        var write = Write("/library/vendor/cache/pkg");
        Assert.NotNull(filter.FindException(write));
        Assert.Null(filter.FindException(Write("/tmp/pkg")));
        write.Process.CodeSignature.TeamId = "OTHERTEAM1";
        Assert.Null(filter.FindException(write));
    }

    [Fact]
    public void ASigningIdentityOnAnUntrustedSignatureAllowsNothing()
    {
        // `codesign -s - -i com.vendor.updater payload` gives any dropped binary the vendor's identifier, ad-hoc signed.
        var filter = new RuleExceptionFilter<TelemetryEvent>(
            [
                new RuleException("Vendor updater by signing id", [], [], ["com.vendor.updater"], [], [], [], [], []),
                new RuleException("Vendor by team", [], [], [], ["ABCDE12345"], [], [], [], []),
            ],
            TelemetrySchemas.Protobuf);
        var adHoc = Exec("/tmp/payload");
        adHoc.Process.CodeSignature = new CodeSignature { Exists = true, Trusted = false, SigningId = "com.vendor.updater", TeamId = "ABCDE12345", Status = "errSecCSSignatureUntrusted" };

        Assert.Null(filter.FindException(adHoc));
        adHoc.Process.CodeSignature.Trusted = true;
        Assert.Equal("[vigil] Vendor updater by signing id", filter.FindException(adHoc)?.Name);
    }

    [Fact]
    public void PathPrefixesTakeWildcardsForHomeFoldersAndCoverLoadedScriptsAndImages()
    {
        var filter = new RuleExceptionFilter<TelemetryEvent>(
            [new RuleException("Profile plugins", [], [], [], [], [], ["/Users/*/Library/Application Support/Firefox/Profiles/"], [], [])],
            TelemetrySchemas.Protobuf);
        TelemetryEvent Load(string path) => new() { Event = new Event { Category = { "library" } }, Dll = new Dll { Path = path } };
        TelemetryEvent Write(string path) => new() { Event = new Event { Category = { "file" } }, File = new Vigil.Contracts.Telemetry.File { Path = path } };

        Assert.NotNull(filter.FindException(Load("/Users/ana/Library/Application Support/Firefox/Profiles/x.default/gmp/libgmp.dylib")));
        Assert.NotNull(filter.FindException(Write("/users/BOB/library/application support/firefox/profiles/y/cookies.sqlite")));
        Assert.Null(filter.FindException(Load("/Users/ana/Library/Caches/Firefox/Profiles/x/libgmp.dylib")));
        Assert.Null(filter.FindException(Load("/tmp/Users/ana/Library/Application Support/Firefox/Profiles/x/lib.dylib")));
    }
}
