using Vigil.FleetSim.Endpoint;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>Slack keeping its websocket and fetching files and avatars over HTTPS.</summary>
internal static class ChatSession
{
    private static readonly string[] Domains = ["wss-primary.slack.com", "edgeapi.slack.com", "files.slack.com", "a.slack-edge.com", "ca.slack-edge.com"];

    public static IEnumerable<TelemetryEvent> Run(ActivityContext c) => c.Host.HasSlack ? Chat(c) : SafariBrowsing.Run(c);

    private static IEnumerable<TelemetryEvent> Chat(ActivityContext c)
    {
        var slack = c.Resident(ResidentKind.Slack);
        var requests = c.Rng.Between(1, 4);
        for (var i = 0; i < requests; i++)
        {
            c.WaitSeconds(0.1, 30);
            foreach (var e in Traffic.Exchange(c, slack, c.Rng.Pick(Domains), c.Rng.Between(500L, 20_000L), c.Rng.Between(2_000L, 900_000L)))
            {
                yield return e;
            }
        }

        if (c.Trace is null && c.Rng.Chance(0.05))
        {
            // The user shares their screen in a huddle for the first time and allows it at the TCC prompt.
            var tccd = c.Spawn(c.Launchd, Images.Tccd, [Images.Tccd.Path], "/", c.User);
            c.WaitSeconds(1, 20);
            yield return c.Exec(tccd);
            c.WaitMillis(5, 50);
            yield return c.TccChange(tccd, slack, "ScreenCapture", slack.Image.Signature.SigningId, "allowed", "create", "user_consent");
        }
    }
}
