using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;

namespace Vigil.Console.IntegrationTests;

/// <summary>An analyst's path through the console in a real browser, from an injected attack to a closed alert.</summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class AnalystPathTests(ConsoleStack stack)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AnInjectedAttackAppearsLiveShowsItsProcessTreeAndIsClosedAsAFalsePositiveWithHistory()
    {
        var page = await stack.NewPageAsync();
        await ConsoleStack.SignInAsync(page);
        await page.GotoAsync("/?host=mac-attacked");
        await page.WaitForSelectorAsync("text=No alerts match.");

        // The list is already open when the attack happens: the alert must appear without a reload.
        await stack.PublishTelemetryAsync(AttackTelemetry.InstallerDropper("mac-attacked", "root", "a1"));
        var row = page.Locator("#alert-table tr.row");
        await row.First.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Patience.TotalMilliseconds });
        Assert.Equal(1, await row.CountAsync());
        Assert.Contains("MacOS Installer Package Spawns Network Event", await row.First.InnerTextAsync());
        Assert.Contains("new", await row.First.Locator(".status").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleStack.ScreenshotPath("console-alerts.png") });

        await row.First.Locator("a").ClickAsync();
        await page.WaitForSelectorAsync("#process-tree");

        // installer → bash (with its command line) → curl (with its destination), nested as parent and child.
        var installer = page.Locator("#process-tree ul.tree > li[data-entity-id='mac-attacked-a1-installer']");
        Assert.Equal(1, await installer.CountAsync());
        var bash = installer.Locator(":scope > ul > li[data-entity-id='mac-attacked-a1-bash']");
        Assert.Equal(1, await bash.CountAsync());
        Assert.Equal(AttackTelemetry.ShellCommandLine, await bash.Locator(":scope > .proc > code.cmd").InnerTextAsync());
        var curl = bash.Locator(":scope > ul > li[data-entity-id='mac-attacked-a1-curl']");
        Assert.Equal(1, await curl.CountAsync());
        Assert.Equal(AttackTelemetry.CurlCommandLine, await curl.Locator(":scope > .proc > code.cmd").InnerTextAsync());
        var connection = await curl.Locator(".act[data-kind='network']").InnerTextAsync();
        Assert.Contains("tcp/https → cdn.evil.example (198.51.100.23):443", connection);
        Assert.Contains("+0.850 s", connection);
        Assert.Contains("+0.000 s", await bash.Locator(":scope > .proc > .act[data-kind='process']").InnerTextAsync());

        // The rule with its MITRE mapping, and the exceptions that would allow it (none of the MDM entries does).
        Assert.Contains("T1059.007", await page.InnerTextAsync("#mitre"));
        Assert.Contains("TA0011", await page.InnerTextAsync("#mitre"));
        var suggested = await page.InnerTextAsync("#suggested-exception");
        Assert.Contains("parent_executable = \"/usr/sbin/installer\"", suggested);
        Assert.Contains("destination_domain = [\"cdn.evil.example\"]", suggested);
        Assert.DoesNotContain("yes", await page.Locator("#exceptions table td:last-child").AllInnerTextsAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleStack.ScreenshotPath("console-alert.png"), FullPage = true });

        await page.FillAsync("#ack-form input[name=analyst]", "dana");
        await page.ClickAsync("#acknowledge");
        await page.WaitForSelectorAsync("#history >> text=acknowledged");
        await page.FillAsync("#ack-form input[name=analyst]", "dana");
        await page.FillAsync("#note", "Internal packaging test host; stage2.sh is our own smoke test");
        await page.ClickAsync("#close-fp");
        await page.WaitForSelectorAsync("#history >> text=closed as false positive");

        var history = await page.Locator("#history tbody tr").AllInnerTextsAsync();
        Assert.Equal(2, history.Count);
        Assert.Matches(IsoTime(), history[0]);
        Assert.Contains("dana (token)", history[0]);
        Assert.Contains("acknowledged", history[0]);
        Assert.Contains("dana (token)", history[1]);
        Assert.Contains("closed-false-positive", history[1]);
        Assert.Contains("Internal packaging test host; stage2.sh is our own smoke test", history[1]);
        Assert.Equal("closed-false-positive", await page.Locator("#status").TextContentAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleStack.ScreenshotPath("console-triage.png") });

        // The verdict is kept: the list filtered by status shows it, and a fresh load of the alert still has the history.
        await page.GotoAsync("/?status=closed-false-positive&host=mac-attacked");
        await page.WaitForSelectorAsync("#alert-table tr.row");
        await page.ReloadAsync();
        Assert.Equal(1, await page.Locator("#alert-table tr.row").CountAsync());
    }

    [Fact]
    public async Task WithoutTheChangeTokenTheConsoleShowsEverythingButRefusesTriage()
    {
        var id = await SeedAlertAsync("mac-readonly");
        var page = await stack.NewPageAsync();
        await page.GotoAsync($"/alerts/{id}");
        Assert.Equal("read-only", await page.InnerTextAsync("#read-only"));
        Assert.True(await page.Locator("#triage-read-only").IsVisibleAsync());
        Assert.Equal(0, await page.Locator("#close-form").CountAsync());
        Assert.Equal(1, await page.Locator("#process-tree li").First.CountAsync());

        // A hand-made request from the page is refused too, and changes nothing.
        var status = await page.EvaluateAsync<int>(
            "async id => (await fetch('/alerts/' + id + '/triage', { method: 'POST', body: new URLSearchParams({ action: 'close-true-positive', analyst: 'mallory', note: 'x' }) })).status",
            id);
        Assert.Equal(403, status);
        await page.ReloadAsync();
        Assert.Equal("new", await page.Locator("#status").TextContentAsync());
        Assert.Contains("No triage yet.", await page.InnerTextAsync("#history"));

        // A wrong token does not sign in.
        await page.GotoAsync("/login");
        await page.FillAsync("#token", "guess");
        await page.ClickAsync("#sign-in");
        Assert.Equal("That is not the change token.", await page.InnerTextAsync("#login-problem"));
        Assert.Equal(1, await page.Locator("#read-only").CountAsync());
    }

    [Fact]
    public async Task ThousandsOfAlertsArePagedAndFilteredWithoutLoadingThemAll()
    {
        const int Count = 2_400;
        var alerts = Enumerable.Range(0, Count).Select(i => SyntheticAlert(
            $"bulk-{i:D5}", $"mac-bulk-{i % 40:D2}", i % 3 == 0 ? "high" : "low", AttackTelemetry.T0 + (i * 1_000_000_000L))).ToList();
        await stack.PublishAlertsAsync(alerts);

        var page = await stack.NewPageAsync();
        await page.GotoAsync("/?rule=bulk-rule&size=50");
        await Expect(page, "#total", "2,400 alert(s)");
        Assert.Equal(50, await page.Locator("#alert-table tr.row").CountAsync());
        Assert.Contains("page 1 of 48", await page.InnerTextAsync(".pager"));
        // Newest first.
        Assert.Equal("bulk-02399", await page.Locator("#alert-table tr.row").First.GetAttributeAsync("data-alert-id"));
        await page.ClickAsync("text=older →");
        await page.WaitForSelectorAsync("text=page 2 of 48");
        Assert.Equal("bulk-02349", await page.Locator("#alert-table tr.row").First.GetAttributeAsync("data-alert-id"));

        // Filters combine: 60 alerts per host, a third of them high.
        await page.GotoAsync("/?rule=bulk-rule&host=MAC-BULK-07&severity=high&size=200");
        await Expect(page, "#total", "20 alert(s)");
        Assert.Equal(20, await page.Locator("#alert-table tr.row").CountAsync());

        // A page size beyond the bound is clamped.
        await page.GotoAsync("/?rule=bulk-rule&size=100000");
        await Expect(page, "#total", "2,400 alert(s)");
        Assert.Equal(200, await page.Locator("#alert-table tr.row").CountAsync());
    }

    [Fact]
    public async Task TheRulesAndPipelinePagesShowTheCorrelatorsCounters()
    {
        await SeedAlertAsync("mac-counters");
        var page = await stack.NewPageAsync();
        await page.GotoAsync("/rules");
        var rule = page.Locator("#rules-table tr[data-rule-id='99239e7d-b0d4-46e3-8609-acafcf99f68c']");
        Assert.Contains("MacOS Installer Package Spawns Network Event", await rule.InnerTextAsync());
        await Eventually(async () =>
        {
            await page.ReloadAsync();
            return double.Parse((await rule.Locator(".matches").InnerTextAsync()).Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) >= 1;
        });
        Assert.NotEqual("0", await rule.Locator(".relevant").InnerTextAsync());
        Assert.NotEqual("0", await rule.Locator(".published").InnerTextAsync());
        // Every rule pack of the repository is listed, not only the running correlator's.
        Assert.True(await page.Locator("#rules-table tbody tr").CountAsync() >= 5);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleStack.ScreenshotPath("console-rules.png"), FullPage = true });

        await page.GotoAsync("/pipeline");
        await Eventually(async () =>
        {
            await page.ReloadAsync();
            // A partition reports lag once the consumer has fetched from it: those the attacks went to.
            return (await page.Locator("#lag tbody tr").AllInnerTextsAsync()).Any(r => r.Contains(stack.Topics.Telemetry, StringComparison.Ordinal));
        });
        Assert.True((await page.InnerTextAsync("#stalled")) == "None.", await page.InnerTextAsync("main"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleStack.ScreenshotPath("console-pipeline.png"), FullPage = true });
    }

    /// <summary>Injects the attack on a host of the test's own and returns the id of the alert once the console lists it.</summary>
    private async Task<string> SeedAlertAsync(string host)
    {
        await stack.PublishTelemetryAsync(AttackTelemetry.InstallerDropper(host, "root", host));
        var page = await stack.NewPageAsync();
        await page.GotoAsync($"/?host={host}");
        var row = page.Locator("#alert-table tr.row").First;
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Patience.TotalMilliseconds });
        var id = await row.GetAttributeAsync("data-alert-id");
        await page.Context.CloseAsync();
        return id!;
    }

    private static Alert SyntheticAlert(string id, string host, string severity, long time) => new()
    {
        Id = id,
        Rule = new Rule { Id = "bulk-rule", Name = "Bulk test rule", AnalyticId = "BULK", Severity = severity, RiskScore = 21 },
        Host = new Host { Id = host, Name = host },
        User = new User { Id = "501", Name = "alice" },
        FirstEventTime = time,
        LastEventTime = time,
        DetectionTime = time,
        Reason = "bulk",
        Producer = "test",
    };

    private static async Task Expect(IPage page, string selector, string text)
    {
        await Eventually(async () => (await page.InnerTextAsync(selector)) == text, $"{selector} reads '{text}' (was '{await page.InnerTextAsync(selector)}')");
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what = "the page shows it")
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up after {Patience.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(250);
        }
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")]
    private static partial Regex IsoTime();
}
