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
            text.AppendLine(Invariant($"    {use.Signature,-28} {use.Count,10}  since {Time(use.FirstSeen)}"));
            foreach (var verdict in Verdicts(use))
            {
                text.Append("      ").AppendLine(Verdict(verdict));
            }
        }

        if (p.ProtocolOverflow > 0)
        {
            text.AppendLine(Invariant($"    ({p.ProtocolOverflow} observations beyond the protocol cap)"));
        }

        text.AppendLine("  volume:");
        Volume(text, "sent per connection", p.SentPerConnection);
        Volume(text, "received per connection", p.ReceivedPerConnection);
        Volume(text, Invariant($"sent per {p.BucketSeconds} s bucket"), p.SentPerBucket);
        Volume(text, Invariant($"received per {p.BucketSeconds} s bucket"), p.ReceivedPerBucket);
        if (response.HostView is { } view)
        {
            text.AppendLine(Invariant($"  on host {view.HostId}: seen {Time(view.FirstSeen)} .. {Time(view.LastSeen)}, {view.Observations} observations"));
            text.AppendLine("    protocols: " + string.Join(", ", view.Protocols.Select(u => Invariant($"{u.Signature} ×{u.Count}"))));
            text.AppendLine(Invariant($"    current bucket from {Time(view.BucketStart)}: sent {Bytes(view.BucketBytesSent)}, received {Bytes(view.BucketBytesReceived)}"));
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

    /// <summary>
    /// The listing, fitted to <paramref name="width"/> characters: the image column is as wide as the longest image
    /// that fits, and longer ones are shortened in the middle ("signing:TEAM/com.exa…agent"), where identities are
    /// least distinctive, so the columns stay aligned whatever the names.
    /// </summary>
    public static string Table(IEnumerable<ProfileSummary> profiles, int width)
    {
        var rows = profiles.Select(p => new[]
        {
            p.Image, p.Maturity, Invariant($"{p.Observations}"), Invariant($"{p.Protocols}"), Invariant($"{p.Alerts}"), Time(p.LastSeen),
        }).ToList();
        string[] header = ["IMAGE", "MATURITY", "OBSERVED", "PROTOCOLS", "ALERTS", "LAST SEEN"];
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var others = widths.Skip(1).Sum() + (2 * (widths.Length - 1));
        widths[0] = Math.Min(widths[0], Math.Max(20, width - others));
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.Append(Fit(row[0], widths[0]).PadRight(widths[0])).Append("  ").Append(row[1].PadRight(widths[1]));
            for (var i = 2; i < 5; i++)
            {
                text.Append("  ").Append(row[i].PadLeft(widths[i]));
            }

            text.Append("  ").AppendLine(row[5]);
        }

        return text.ToString().TrimEnd();
    }

    /// <summary><paramref name="text"/> in at most <paramref name="width"/> characters, shortened in the middle with an ellipsis.</summary>
    public static string Fit(string text, int width)
    {
        if (text.Length <= width)
        {
            return text;
        }

        var head = (width - 1) / 2;
        return string.Concat(text.AsSpan(0, head), "…", text.AsSpan(text.Length - (width - 1 - head)));
    }

    public static string Accepted(AcceptProtocolResponse response)
    {
        var text = new StringBuilder(response.NewlyLearned
            ? $"{response.Profile.Image} now knows {response.Signature}: no host alerts on it again."
            : $"{response.Profile.Image} already knew {response.Signature}; the verdict is recorded with it.");
        if (response.Profile.Protocols.FirstOrDefault(p => p.Signature == response.Signature) is { Acceptances.Count: > 1 } use)
        {
            text.AppendLine().Append(Invariant($"  verdicts on {use.Signature} ({use.Acceptances.Count}):"));
            foreach (var verdict in use.Acceptances)
            {
                text.AppendLine().Append("    ").Append(Verdict(verdict));
            }
        }

        return text.ToString();
    }

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
            text.AppendLine(Invariant($"  profile now: {now.Maturity}, {now.Observations} observations, protocols {string.Join(", ", now.Protocols.Select(p => p.Signature))}"));

            // The verdicts on the protocol the alert observed: whoever reads the alert sees it was judged benign since.
            var observed = e.Observations.Select(o => o.Observed).ToHashSet(StringComparer.Ordinal);
            foreach (var use in now.Protocols.Where(p => observed.Contains(p.Signature)))
            {
                var verdicts = Verdicts(use).ToList();
                if (verdicts.Count > 0)
                {
                    text.AppendLine(Invariant($"  {use.Signature} accepted since ({verdicts.Count} verdict(s)):"));
                    foreach (var verdict in verdicts)
                    {
                        text.Append("    ").AppendLine(Verdict(verdict));
                    }
                }
            }
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>Every verdict on a protocol, oldest first; the single latest one when the service keeps no history.</summary>
    private static IEnumerable<Acceptance> Verdicts(ProtocolUse use) =>
        use.Acceptances.Count > 0 ? use.Acceptances
        : use.AcceptedAt != 0 ? [new Acceptance { AcceptedAt = use.AcceptedAt, Reason = use.AcceptedReason, AcceptedBy = use.AcceptedBy }]
        : [];

    private static string Verdict(Acceptance verdict) =>
        Invariant($"accepted {Time(verdict.AcceptedAt)} by {(verdict.AcceptedBy.Length > 0 ? verdict.AcceptedBy : "?")}: {verdict.Reason}");

    private static void Volume(StringBuilder text, string name, VolumeStatistics? statistics) =>
        text.AppendLine(statistics is null || statistics.Samples == 0
            ? Invariant($"    {name,-28} not learned yet")
            : Invariant($"    {name,-28} typical {Bytes(statistics.TypicalBytes),-9} anomalous above {Bytes(statistics.AnomalyThresholdBytes),-9} ({statistics.Samples} samples)"));

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
