using System.Text.RegularExpressions;
using Vigil.Contracts.Telemetry;
using Vigil.Detection.UnitTests.Support;

namespace Vigil.Detection.UnitTests;

/// <summary>The shipped [[vigil.exception]] entries allow exactly the workflows they name, and nothing next to them.</summary>
public sealed partial class ExceptionTuningTests
{
    private const int Copies = 10;

    [Fact]
    public async Task WithoutTheHomebrewExceptionEveryBrewLookAlikeAlerts()
    {
        var run = await SimulationRecording.ScenarioAsync("an0167-brew-curl-cache", Copies);
        var text = RulePacks.RuleText("an0167", "curl_or_wget");
        var withoutHomebrew = HomebrewException().Replace(text, string.Empty);
        Assert.NotEqual(text, withoutHomebrew);
        using var folder = new RuleFolder("an0167", withoutHomebrew);

        var shipped = RulePacks.Detect(RulePacks.Of("an0167").Rules, run.Events);
        var edited = RulePacks.Detect(folder.Pack.Rules, run.Events);

        Assert.Empty(Citing(shipped, run.Records.SelectMany(r => r.EventIds)));
        Assert.All(run.Records, record => Assert.Single(Citing(edited, record.EventIds)));
    }

    [Fact]
    public async Task TheHomebrewExceptionDoesNotCoverCurlStartedByAnotherRuby()
    {
        var run = await SimulationRecording.ScenarioAsync("an0167-brew-curl-cache", Copies);
        foreach (var curl in CurlEvents(run))
        {
            curl.Process.Parent.Executable = "/Users/dev/.rbenv/versions/3.3.7/bin/ruby";
        }

        var alerts = RulePacks.Detect(RulePacks.Of("an0167").Rules, run.Events);

        Assert.All(run.Records, record => Assert.Single(Citing(alerts, record.EventIds)));
    }

    [Fact]
    public async Task TheHomebrewExceptionDoesNotCoverHomebrewsCurlFetchingFromAnotherSite()
    {
        var run = await SimulationRecording.ScenarioAsync("an0167-brew-curl-cache", Copies);
        foreach (var curl in CurlEvents(run).Where(e => e.Destination is not null))
        {
            curl.Destination.Domain = "brewpkg-mirror.info";
        }

        var alerts = RulePacks.Detect(RulePacks.Of("an0167").Rules, run.Events);

        Assert.All(run.Records, record => Assert.Single(Citing(alerts, record.EventIds)));
    }

    [Fact]
    public async Task TheMdmExceptionsCoverTheAgentsCurlOnlyAgainstItsOwnCloud()
    {
        var run = await SimulationRecording.ScenarioAsync("an0167-mdm-curl-own-folder", Copies);
        // Only Kandji saves into a temporary folder (/private/tmp); Jamf and Mosyle keep their own folders, which AN0167 does not watch.
        var inTemporaryFolders = run.Records.Where(r => run.EventsOf(r).Any(e => e.File?.Path.StartsWith("/private/tmp/", StringComparison.Ordinal) == true)).ToList();
        Assert.NotEmpty(inTemporaryFolders);
        Assert.Empty(RulePacks.Detect(RulePacks.Of("an0167").Rules, run.Events));

        foreach (var curl in CurlEvents(run).Where(e => e.Destination is not null))
        {
            curl.Destination.Domain = "cdn-appleupdates.net";
        }

        var alerts = RulePacks.Detect(RulePacks.Of("an0167").Rules, run.Events);

        Assert.Equal(inTemporaryFolders.Count, alerts.Count);
        Assert.All(inTemporaryFolders, record => Assert.Single(Citing(alerts, record.EventIds)));
    }

    [Fact]
    public async Task TheBackupAgentExceptionsFollowTheSigningTeamNotTheProcessName()
    {
        var run = await SimulationRecording.ScenarioAsync("an0425-backup-https-upload", Copies);
        var connections = run.Records.SelectMany(run.EventsOf).Where(e => e.Event.Action == "connection_attempted").ToList();
        foreach (var connection in connections)
        {
            // Plain HTTP makes the upload match AN0425's query; the vendor's team id still allows it.
            connection.Destination.Port = 80;
            connection.Network.Protocol = "http";
        }

        Assert.Empty(RulePacks.Detect(RulePacks.Of("an0425").Rules, run.Events));

        foreach (var e in run.Records.SelectMany(run.EventsOf))
        {
            // The same binary name and path, but not the vendor's signature: an impostor.
            e.Process.CodeSignature = new CodeSignature { Exists = false, Status = "errSecCSUnsigned" };
        }

        var alerts = RulePacks.Detect(RulePacks.Of("an0425").Rules, run.Events);

        Assert.All(run.Records, record => Assert.Single(Citing(alerts, record.EventIds)));
    }

    private static IEnumerable<TelemetryEvent> CurlEvents(SimulationRecording run) =>
        run.Records.SelectMany(run.EventsOf).Where(e => e.Process?.Name == "curl");

    private static List<Contracts.Alerts.Alert> Citing(IEnumerable<Contracts.Alerts.Alert> alerts, IEnumerable<string> eventIds)
    {
        var ids = eventIds.ToHashSet();
        return alerts.Where(a => a.EvidenceIds().Any(ids.Contains)).ToList();
    }

    [GeneratedRegex(@"\[\[vigil\.exception\]\]\r?\ndescription = ""Homebrew's.*?(?=\r?\n\[\[)", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex HomebrewException();
}
