using System.Globalization;
using System.Text;
using Vigil.Contracts;
using Vigil.Contracts.Baseline;

namespace Vigil.Cli;

/// <summary>Profiles, listings and explanations as an analyst reads them in a terminal.</summary>
public static class BaselineText
{
    public static string Describe(GetProfileResponse response)
    {
        var p = response.Profile;
        var text = new StringBuilder()
            .Append(p.Image).Append("  (").Append(p.IdentityKind).Append(")  ").Append(p.Maturity.ToUpperInvariant());
        if (p.MaturedAt != 0)
        {
            text.Append(" since ").Append(Time(p.MaturedAt));
        }
        else
        {
            text.Append(Invariant($": matures at {p.MaturityRequirement.MinObservations} observations over {TimeSpan.FromSeconds(p.MaturityRequirement.MinAgeSeconds)}"));
        }

        text.AppendLine()
            .AppendLine(Invariant($"  seen {Time(p.FirstSeen)} .. {Time(p.LastSeen)} on ~{p.DistinctHosts} host(s), ~{p.DistinctDestinations} destination(s)"))
            .AppendLine(Invariant($"  {p.Observations} observations, {p.Connections} completed connections, {p.Alerts} alert(s), last change {Time(p.LastChanged)}"))
            .AppendLine("  protocols:");
        foreach (var use in p.Protocols)
        {
            text.Append(Invariant($"    {use.Signature,-28} {use.Count,10}  since {Time(use.FirstSeen)}"));
            if (use.AcceptedAt != 0)
            {
                text.Append(Invariant($"  accepted {Time(use.AcceptedAt)} by {(use.AcceptedBy.Length > 0 ? use.AcceptedBy : "?")}: {use.AcceptedReason}"));
            }

            text.AppendLine();
        }

        if (p.ProtocolOverflow > 0)
        {
            text.AppendLine(Invariant($"    ({p.ProtocolOverflow} observations beyond the protocol cap)"));
        }

        text.AppendLine("  volume (typical / anomalous above, samples):");
        Volume(text, "sent per connection", p.SentPerConnection);
        Volume(text, "received per connection", p.ReceivedPerConnection);
        Volume(text, Invariant($"sent per {p.BucketSeconds} s bucket"), p.SentPerBucket);
        Volume(text, Invariant($"received per {p.BucketSeconds} s bucket"), p.ReceivedPerBucket);
        if (response.HostView is { } view)
        {
            text.AppendLine(Invariant($"  on host {view.HostId}: seen {Time(view.FirstSeen)} .. {Time(view.LastSeen)}, {view.Observations} observations"));
            text.AppendLine("    protocols: " + string.Join(", ", view.Protocols.Select(u => Invariant($"{u.Signature} ×{u.Count}"))));
            text.AppendLine(Invariant($"    current bucket from {Time(view.BucketStart)}: sent {view.BucketBytesSent} B, received {view.BucketBytesReceived} B"));
            text.AppendLine("    recent buckets (newest first): " + string.Concat(view.RecentBucketsAnomalous.Select(a => a ? '!' : '.')));
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>A line on the memory generation above the table; loud when Redis lost the baseline's profiles.</summary>
    public static string Memory(MemoryGeneration? memory)
    {
        if (memory is null || memory.Id.Length == 0)
        {
            return string.Empty;
        }

        var since = DateTimeOffset.FromUnixTimeSeconds(memory.StartedUnixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return memory.Reason == "memory-lost"
            ? $"MEMORY LOST at {since}: Redis lost every baseline profile; all images learn again from immature (generation {memory.Id}).\n"
            : $"Memory since {since} (generation {memory.Id}).\n";
    }

    public static string Table(IEnumerable<ProfileSummary> profiles)
    {
        var text = new StringBuilder().AppendLine(Invariant($"{"IMAGE",-60} {"MATURITY",-9} {"OBSERVED",9} {"PROTOCOLS",9} {"ALERTS",6}  LAST SEEN"));
        foreach (var p in profiles)
        {
            text.AppendLine(Invariant($"{p.Image,-60} {p.Maturity,-9} {p.Observations,9} {p.Protocols,9} {p.Alerts,6}  {Time(p.LastSeen)}"));
        }

        return text.ToString().TrimEnd();
    }

    public static string Accepted(AcceptProtocolResponse response) =>
        response.NewlyLearned
            ? $"{response.Profile.Image} now knows {response.Signature}: no host alerts on it again."
            : $"{response.Profile.Image} already knew {response.Signature}; the verdict is recorded with it.";

    public static string Explain(ExplainAlertResponse response)
    {
        var e = response.Explanation;
        var text = new StringBuilder()
            .AppendLine(Invariant($"{e.AlertId} {e.RuleId} {e.Severity.ToUpperInvariant()} on {e.HostId} at {Time(e.DetectionTime)}"))
            .Append("  why: ").AppendLine(e.Reason)
            .Append("  image: ").AppendLine(e.Image);
        foreach (var o in e.Observations)
        {
            text.Append("  ").Append(o.Name).Append(": observed ").Append(o.Observed);
            if (o.Expected.Length > 0)
            {
                text.Append("; expected ").Append(o.Expected);
            }

            text.AppendLine();
            if (o.Detail.Length > 0)
            {
                text.Append("      ").AppendLine(o.Detail);
            }
        }

        text.Append("  evidence: ").AppendLine(string.Join(", ", e.EvidenceEventIds));
        if (response.CurrentProfile is { } now)
        {
            text.Append(Invariant($"  profile now: {now.Maturity}, {now.Observations} observations, protocols {string.Join(", ", now.Protocols.Select(p => p.Signature))}"));
        }

        return text.ToString().TrimEnd();
    }

    private static void Volume(StringBuilder text, string name, VolumeStatistics statistics) =>
        text.AppendLine(statistics.Samples == 0
            ? Invariant($"    {name,-28} not learned yet")
            : Invariant($"    {name,-28} {Bytes(statistics.TypicalBytes),10} / {Bytes(statistics.AnomalyThresholdBytes),-10} ({statistics.Samples})"));

    private static string Time(long nanos) => nanos == 0 ? "-" : EcsTimestamp.Format(nanos);

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1e9 => Invariant($"{bytes / 1e9:0.#} GB"),
        >= 1e6 => Invariant($"{bytes / 1e6:0.#} MB"),
        >= 1e3 => Invariant($"{bytes / 1e3:0.#} KB"),
        _ => Invariant($"{bytes:0} B"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
