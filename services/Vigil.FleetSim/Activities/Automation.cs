using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>
/// Legitimate Automator and AppleScript use: a workflow applet resizing photos with sips (no network), and
/// workflows or scripts posting a short status over HTTPS through curl. This is what Automator, osascript and
/// curl normally look like to a per-image baseline.
/// </summary>
internal static class Automation
{
    private static readonly string[] KnownEndpoints = ["hooks.slack.com", "api.github.com", "script.google.com", "outlook.office.com"];

    public static IEnumerable<TelemetryEvent> Run(ActivityContext c)
    {
        var roll = c.Rng.NextDouble();
        return roll < 0.4 ? ResizePhotos(c)
            : roll < 0.7 ? AutomatorPostsStatus(c)
            : OsascriptPostsStatus(c);
    }

    /// <summary>An Automator applet the user double-clicked: its stub and the workflow runner, both under launchd.</summary>
    public static (SimProcess Stub, SimProcess Runner) AutomatorApplet(ActivityContext c, SimProcess finder, string appletName)
    {
        var stubImage = new ExecutableImage(
            $"{c.Home}/Applications/{appletName}.app/Contents/MacOS/Automator Application Stub",
            CodeSignatureFacts.AdHoc($"com.apple.automator.{appletName.Replace(' ', '-')}"));
        var stub = c.Spawn(c.Launchd, stubImage, [stubImage.Path], "/", c.User, effectiveParent: finder);
        var runner = c.Spawn(c.Launchd, Images.AutomatorRunner, [Images.AutomatorRunner.Path], "/", c.User, effectiveParent: stub);
        return (stub, runner);
    }

    private static IEnumerable<TelemetryEvent> ResizePhotos(ActivityContext c)
    {
        var finder = c.Resident(ResidentKind.Finder);
        var (stub, runner) = AutomatorApplet(c, finder, "Resize Photos");
        c.WaitMillis(10, 500);
        yield return c.Exec(stub);
        c.WaitMillis(30, 300);
        yield return c.Exec(runner);
        var photos = c.Rng.Between(1, 4);
        for (var i = 0; i < photos; i++)
        {
            var photo = $"{c.Home}/{c.Rng.Pick(UserFiles.Pictures)}";
            var output = $"{c.Home}/Pictures/Resized/{Path.GetFileName(photo)}";
            var sips = c.Spawn(runner, Images.Sips, ["sips", "-Z", "1600", photo, "--out", output], effectiveParent: stub);
            c.WaitMillis(50, 400);
            yield return c.Exec(sips);
            c.WaitMillis(2, 20);
            yield return c.OpenFile(sips, photo, c.Rng.Between(1_000_000L, 9_000_000L));
            c.WaitMillis(100, 900);
            yield return c.CreateFile(sips, output, c.Rng.Between(150_000L, 900_000L), FileHeaders.Jpeg);
            yield return c.Exit(sips);
        }

        c.WaitMillis(100, 1000);
        yield return c.Exit(runner);
        yield return c.Exit(stub);
        c.Describe("An Automator applet resizes photos with sips; no network");
    }

    /// <summary>An Automator workflow running a shell step whose curl posts a short status over HTTPS to a known service.</summary>
    public static IEnumerable<TelemetryEvent> AutomatorPostsStatus(ActivityContext c)
    {
        var finder = c.Resident(ResidentKind.Finder);
        var (stub, runner) = AutomatorApplet(c, finder, c.Rng.Pick(new[] { "Daily Standup", "Post Build Status", "Timesheet Reminder" }));
        c.WaitMillis(10, 500);
        yield return c.Exec(stub);
        c.WaitMillis(30, 300);
        yield return c.Exec(runner);
        foreach (var e in ShellCurlsKnownEndpoint(c, runner, stub))
        {
            yield return e;
        }

        c.WaitMillis(50, 500);
        yield return c.Exit(runner);
        yield return c.Exit(stub);
    }

    /// <summary>A user LaunchAgent running an AppleScript whose `do shell script` curls a short status over HTTPS.</summary>
    public static IEnumerable<TelemetryEvent> OsascriptPostsStatus(ActivityContext c)
    {
        var script = $"{c.Home}/Library/Scripts/{c.Rng.Pick(new[] { "post-standup.scpt", "sync-calendar.scpt", "status-update.scpt" })}";
        var osascript = c.Spawn(c.Launchd, Images.Osascript, ["/usr/bin/osascript", script], c.Home, c.User);
        yield return c.Exec(osascript);
        c.WaitMillis(10, 120);
        yield return c.LoadScript(osascript, script);
        foreach (var e in ShellCurlsKnownEndpoint(c, osascript, osascript))
        {
            yield return e;
        }

        c.WaitMillis(20, 300);
        yield return c.Exit(osascript);
    }

    private static IEnumerable<TelemetryEvent> ShellCurlsKnownEndpoint(ActivityContext c, SimProcess parent, SimProcess effectiveParent)
    {
        var endpoint = c.Rng.Pick(KnownEndpoints);
        var url = $"https://{endpoint}/services/{c.Rng.Alphanumeric(10)}";
        var sh = c.Spawn(parent, Images.Sh, ["/bin/sh", "-c", $"curl -s -X POST -H 'Content-Type: application/json' -d @/tmp/status.json {url}"], effectiveParent: effectiveParent);
        c.WaitMillis(100, 1500);
        yield return c.Exec(sh);
        var curl = c.Spawn(sh, Images.Curl, ["curl", "-s", "-X", "POST", "-H", "Content-Type: application/json", "-d", "@/tmp/status.json", url], effectiveParent: effectiveParent);
        c.WaitMillis(2, 20);
        yield return c.Exec(curl);
        var (sent, received) = Traffic.SmallRequest(c);
        foreach (var e in Traffic.Exchange(c, curl, endpoint, sent, received))
        {
            yield return e;
        }

        yield return c.Exit(curl);
        yield return c.Exit(sh);
        c.Describe($"{effectiveParent.Name} runs a shell step whose curl posts {sent} bytes over HTTPS to {endpoint}");
    }
}
