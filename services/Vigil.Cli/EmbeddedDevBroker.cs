using System.Net;
using Vigil.Messaging.Kafka;

namespace Vigil.Cli;

/// <summary>
/// The embedded dev broker of `make run` (services/Vigil.DevCluster: librdkafka's mock cluster), found through its
/// loopback control endpoint. The mock cannot create topics over Kafka's admin API (CreateTopics goes unanswered
/// until the deadline), so `topics apply` recognises it and creates missing topics through the endpoint instead.
/// </summary>
public sealed class EmbeddedDevBroker(Uri control, HttpClient http)
{
    /// <summary>Where the dev broker serves its control endpoint unless DevCluster:ControlUrl says otherwise.</summary>
    public const string DefaultControlUrl = "http://127.0.0.1:9190";

    public Uri Control { get; } = control;

    /// <summary>
    /// The dev broker whose brokers include one of <paramref name="bootstrap"/>'s, or null when the Kafka named is
    /// something else (or the control endpoint is off). Only loopback addresses are asked: the endpoint never
    /// listens elsewhere, and a real cluster costs no probe.
    /// </summary>
    public static async Task<EmbeddedDevBroker?> FindAsync(string bootstrap, string? controlUrl, HttpClient http, CancellationToken cancellationToken)
    {
        var wanted = Addresses(bootstrap);
        if (string.IsNullOrWhiteSpace(controlUrl) || !Uri.TryCreate(controlUrl, UriKind.Absolute, out var control) || !control.IsLoopback
            || wanted.Count == 0 || !wanted.All(IsLoopback))
        {
            return null;
        }

        try
        {
            var served = await http.GetStringAsync(new Uri(control, "/bootstrap"), cancellationToken).ConfigureAwait(false);
            return Addresses(served).Overlaps(wanted) ? new EmbeddedDevBroker(control, http) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Creates the topic as planned; null when done, else why not.</summary>
    public async Task<string?> CreateAsync(TopicPlan plan, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsync(
                new Uri(Control, $"/topics/{Uri.EscapeDataString(plan.Name)}/partitions/{plan.Partitions}"), content: null, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? null
                : $"{Control} answered {(int)response.StatusCode}: {(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim()}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"{Control} did not answer: {e.Message}";
        }
    }

    private static HashSet<string> Addresses(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => a.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" + a[9..] : a)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static bool IsLoopback(string address)
    {
        var colon = address.LastIndexOf(':');
        var host = (colon > 0 ? address[..colon] : address).Trim('[', ']');
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}
