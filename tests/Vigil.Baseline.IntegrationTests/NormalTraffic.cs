using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Telemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// An image's everyday network use for tests: a DNS lookup, an HTTPS connection and its end, with byte counts drawn
/// log-normally around a typical size from a seeded generator, one connection every <c>spacing</c> of event time.
/// </summary>
internal static class NormalTraffic
{
    public static IEnumerable<TelemetryEvent> Connections(
        BaselineTelemetry mac, Process process, int count, long from, long spacing, Random random, double typicalSent = 2_000, double sigma = 0.3)
    {
        for (var i = 0; i < count; i++)
        {
            var time = from + (i * spacing);
            var sent = (long)(typicalSent * Math.Exp(sigma * Gaussian(random)));
            var received = (long)(20_000 * Math.Exp(sigma * Gaussian(random)));
            yield return mac.Lookup(process, time);
            yield return mac.Connect(process, time + 1_000_000);
            yield return mac.Disconnect(process, time + 200_000_000, sent, received);
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
