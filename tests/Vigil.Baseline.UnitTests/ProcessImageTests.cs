using Vigil.Baseline.Identity;
using Vigil.Contracts.Telemetry;

namespace Vigil.Baseline.UnitTests;

public sealed class ProcessImageTests
{
    [Fact]
    public void ATrustedDeveloperIdBinaryIsIdentifiedByTeamAndSigningId()
    {
        var image = ProcessImageResolver.Resolve(new Process
        {
            Name = "Google Chrome",
            Executable = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
            CodeSignature = new CodeSignature { Exists = true, Trusted = true, TeamId = "EQHXZ8M8AV", SigningId = "com.google.Chrome" },
        });

        Assert.Equal("signing:EQHXZ8M8AV/com.google.Chrome", image!.Identity);
        Assert.Equal(ProcessImageIdentityKind.CodeSigning, image.Kind);
    }

    [Fact]
    public void AnApplePlatformBinaryIsIdentifiedBySigningIdAlone()
    {
        var image = ProcessImageResolver.Resolve(new Process
        {
            Name = "curl",
            Executable = "/usr/bin/curl",
            CodeSignature = new CodeSignature { Exists = true, Trusted = true, SigningId = "com.apple.curl" },
        });

        Assert.Equal("signing:com.apple.curl", image!.Identity);
    }

    [Fact]
    public void AnAdHocSignatureDoesNotIdentifyAnImageSoPerUserPathsCollapse()
    {
        Process Stub(string user) => new()
        {
            Name = "Automator Application Stub",
            Executable = $"/Users/{user}/Applications/Invoice Viewer.app/Contents/MacOS/Automator Application Stub",
            CodeSignature = new CodeSignature { Exists = true, Trusted = false, SigningId = "com.apple.automator.Invoice-Viewer" },
        };

        var alice = ProcessImageResolver.Resolve(Stub("alice"))!;
        var bob = ProcessImageResolver.Resolve(Stub("bob"))!;

        Assert.Equal("path:/Users/*/Applications/Invoice Viewer.app/Contents/MacOS/Automator Application Stub", alice.Identity);
        Assert.Equal(alice, bob);
        Assert.Equal(alice.Tag, bob.Tag);
    }

    [Fact]
    public void AProcessKnownOnlyByNameIsIdentifiedByName()
    {
        Assert.Equal("name:tool", ProcessImageResolver.Resolve(new Process { Name = "tool" })!.Identity);
        Assert.Null(ProcessImageResolver.Resolve(new Process()));
    }

    [Theory]
    [InlineData("/Users/alice/bin/sync", "/Users/*/bin/sync")]
    [InlineData("/Users/Shared/tools/sync", "/Users/Shared/tools/sync")]
    [InlineData("/private/var/folders/x7/0f2k9l_n5s1/T/AppTranslocation/6C0A-11EF/d/Tool.app/Contents/MacOS/Tool", "/private/var/folders/*/*/T/AppTranslocation/*/d/Tool.app/Contents/MacOS/Tool")]
    [InlineData("/var/folders/x7/0f2k9l_n5s1/T/run.sh", "/var/folders/*/*/T/run.sh")]
    [InlineData("/usr/local/bin/tool", "/usr/local/bin/tool")]
    public void PerUserAndPerLaunchPathComponentsCollapse(string path, string normalized) =>
        Assert.Equal(normalized, ExecutablePath.Normalize(path));

    [Fact]
    public void AnAnalystCanNameAnImageByBareSigningIdPathOrName()
    {
        Assert.Equal(["signing:com.apple.curl", "name:com.apple.curl"], ProcessImage.Candidates("com.apple.curl").Select(c => c.Identity));
        Assert.Equal(["path:/Users/*/bin/x", "name:x"], ProcessImage.Candidates("/Users/bob/bin/x").Select(c => c.Identity));
        Assert.Equal(["signing:EQHXZ8M8AV/com.google.Chrome"], ProcessImage.Candidates("signing:EQHXZ8M8AV/com.google.Chrome").Select(c => c.Identity));
    }

    [Fact]
    public void ASigningIdAndAnExecutablePathGivenAsTheSameStringResolveToTheirOwnImages()
    {
        // The decoder hands out one instance per value, so one string may be an event's signing id and another's path.
        var text = "/opt/tools/agent";
        var signed = ProcessImageResolver.Resolve(new Process
        {
            Name = "agent",
            Executable = "/opt/tools/agent",
            CodeSignature = new CodeSignature { Exists = true, Trusted = true, SigningId = text },
        });
        var unsigned = ProcessImageResolver.Resolve(new Process { Name = "agent", Executable = text });

        Assert.Equal("signing:/opt/tools/agent", signed!.Identity);
        Assert.Equal("path:/opt/tools/agent", unsigned!.Identity);
        Assert.Equal(signed, ProcessImageResolver.Resolve(new Process
        {
            Executable = "/elsewhere/agent",
            CodeSignature = new CodeSignature { Exists = true, Trusted = true, SigningId = text },
        }));
    }

    [Fact]
    public void AProcessResolvedAgainFromEqualButDistinctStringsGetsTheSameImage()
    {
        Process Chrome(string team, string signingId) => new()
        {
            Executable = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
            CodeSignature = new CodeSignature { Exists = true, Trusted = true, TeamId = team, SigningId = signingId },
        };

        var first = ProcessImageResolver.Resolve(Chrome("EQHXZ8M8AV", "com.google.Chrome"));
        var again = ProcessImageResolver.Resolve(Chrome(new string("EQHXZ8M8AV".AsSpan()), new string("com.google.Chrome".AsSpan())));
        var other = ProcessImageResolver.Resolve(Chrome("EQHXZ8M8AV", "com.google.Chrome.helper"));

        Assert.Equal(first, again);
        Assert.Equal("signing:EQHXZ8M8AV/com.google.Chrome.helper", other!.Identity);
    }
}
