using Microsoft.Playwright;

namespace Vigil.Console.IntegrationTests;

/// <summary>The AN1227 view: an anomaly drawn against the profile the real baseline learned, fetched over its gRPC API.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class BaselineProfileTests(ConsoleStack stack)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task AVolumeAnomalyIsDrawnAgainstTheLearnedDistributionAndANewProtocolAgainstTheProtocolMix()
    {
        var mac = new BaselineTraffic("mac-sync");
        var peer = new BaselineTraffic("mac-peer");
        var random = new Random(5);
        const long Start = BaselineTraffic.Start;
        const long Bucket = BaselineTraffic.Bucket;

        // Two hosts teach the profile ~2 KB sent per bucket; a connection ten minutes later matures it.
        await stack.PublishTelemetryAsync([.. mac.Normal(21, Start, random), .. peer.Normal(21, Start, random), mac.Connect(Start + (600 * BaselineTraffic.Second))]);

        // Each host's partition is consumed on its own: the anomalies count only once the fleet-wide profile is mature.
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(stack.BaselineGrpcUrl);
        var baseline = new Vigil.Contracts.Baseline.BaselineService.BaselineServiceClient(channel);
        await Eventually(
            async () => (await baseline.ListProfilesAsync(new Vigil.Contracts.Baseline.ListProfilesRequest { Filter = Vigil.Contracts.Baseline.ProfileFilter.Mature })).Profiles
                .Any(p => p.Image.Contains("com.example.sync", StringComparison.Ordinal)),
            "the sync agent's profile matured");

        // 80 KB sent in three of five buckets: a persistent volume anomaly. Then FTP, which the image never used.
        var later = Start + (3600 * BaselineTraffic.Second);
        await stack.PublishTelemetryAsync(
            mac.Disconnect(later, 80_000, 20_000),
            mac.Disconnect(later + Bucket, 2_100, 20_000),
            mac.Disconnect(later + (2 * Bucket), 80_000, 20_000),
            mac.Disconnect(later + (3 * Bucket), 80_000, 20_000),
            mac.Connect(later + (4 * Bucket), "ftp", 21));

        var page = await stack.NewPageAsync();
        await page.GotoAsync("/?analytic=AN1227&host=mac-sync");
        var rows = page.Locator("#alert-table tr.row");
        await Eventually(async () => await rows.CountAsync() == 2, "both AN1227 alerts are listed");

        await page.GotoAsync("/alerts/" + await AlertOf(page, "vigil-an1227-volume"));
        await page.WaitForSelectorAsync("#profile");
        Assert.Equal("mature", await page.InnerTextAsync("#profile-maturity"));
        Assert.Contains("com.example.sync", await page.InnerTextAsync("#profile-image"));
        var chart = await page.TextContentAsync("#volume-chart") ?? string.Empty;
        Assert.Contains("observed 80 KB", chart);
        Assert.Contains("typical 2", chart);
        Assert.Contains("threshold", chart);
        // The observed value sits right of the threshold line.
        var observedX = double.Parse(await page.GetAttributeAsync("#observed-marker", "x1") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var thresholdX = double.Parse(await page.Locator("#volume-chart line[stroke='#b54708']").GetAttributeAsync("x1") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(observedX > thresholdX, $"observed at x={observedX}, threshold at x={thresholdX}");
        Assert.Contains("tcp/https/well-known", await page.TextContentAsync("#protocol-chart"));
        await page.Locator("#profile").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleStack.ScreenshotPath("console-an1227.png"), FullPage = true });

        await page.GotoAsync("/alerts/" + await AlertOf(page, "vigil-an1227-new-protocol"));
        var protocols = await page.TextContentAsync("#protocol-chart") ?? string.Empty;
        Assert.Contains("tcp/ftp/well-known", protocols);
        Assert.Contains("observed now, never learned", protocols);
    }

    /// <summary>The id of the one listed alert of a rule on the test's host.</summary>
    private static async Task<string> AlertOf(IPage page, string ruleId)
    {
        await page.GotoAsync($"/?rule={ruleId}&host=mac-sync");
        var row = page.Locator("#alert-table tr.row");
        Assert.Equal(1, await row.CountAsync());
        return (await row.GetAttributeAsync("data-alert-id"))!;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
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
}
