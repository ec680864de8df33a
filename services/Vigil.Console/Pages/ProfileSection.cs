using System.Globalization;
using System.Text;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Baseline;

namespace Vigil.Console.Pages;

/// <summary>
/// The AN1227 view: the image's learned profile from the baseline (ExplainAlert, GetProfile) drawn next to what the alert
/// observed — the protocol mix with the new protocol marked, and the learned volume distribution (log-normal, as the
/// baseline models it: mean and σ of log(1 + bytes)) with the threshold and the observed value marked.
/// </summary>
internal static class ProfileSection
{
    public static string Render(Alert alert, ExplainAlertResponse? explained, GetProfileResponse? profile, string? error)
    {
        var html = new StringBuilder("<section class=\"card\" id=\"profile\"><h2>Learned profile (AN1227)</h2>");
        if (error is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">The baseline could not be asked: {Html.E(error)}</p>");
        }

        var current = profile?.Profile ?? explained?.CurrentProfile;
        if (current is null)
        {
            return html.Append("</section>").ToString();
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <p>Image <code id="profile-image">{Html.E(current.Image)}</code> ({Html.E(current.IdentityKind)}) · <b id="profile-maturity">{Html.E(current.Maturity)}</b>
            · {current.Observations:#,0} observations · {current.Connections:#,0} connections · {current.DistinctHosts:#,0} hosts · {current.Alerts:#,0} alerts
            · seen {Html.Time(current.FirstSeen)} – {Html.Time(current.LastSeen)}</p>
            """);
        var observed = alert.Observations.FirstOrDefault(o => o.Name == "network.protocol")?.Observed;
        html.Append("<div class=\"grid\"><div><h3>Protocol mix</h3>").Append(ProtocolChart(current, observed)).Append("</div>");
        var volume = alert.Observations.FirstOrDefault(o => o.Name.StartsWith("bytes ", StringComparison.Ordinal) && o.Name.Contains(" per ", StringComparison.Ordinal));
        var (statistics, label) = volume is null ? (current.SentPerBucket, "bytes sent per bucket") : Choose(current, volume.Name);
        var value = volume is not null && double.TryParse(volume.Observed, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null;
        html.Append(CultureInfo.InvariantCulture, $"<div><h3>Volume: {Html.E(volume?.Name ?? label)}</h3>").Append(VolumeChart(statistics, value)).Append("</div></div>");
        if (profile?.HostView is { } host)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">On host {Html.E(host.HostId)}: {host.Observations:#,0} observations; recent buckets {string.Concat(host.RecentBucketsAnomalous.Select(b => b ? "▮" : "▯"))} (▮ anomalous, newest first).</p>");
        }

        return html.Append("</section>").ToString();
    }

    private static (VolumeStatistics, string) Choose(Profile profile, string name) =>
        (name.Contains("received", StringComparison.Ordinal), name.Contains("connection", StringComparison.Ordinal)) switch
        {
            (false, false) => (profile.SentPerBucket, name),
            (true, false) => (profile.ReceivedPerBucket, name),
            (false, true) => (profile.SentPerConnection, name),
            (true, true) => (profile.ReceivedPerConnection, name),
        };

    private static string ProtocolChart(Profile profile, string? observed)
    {
        var protocols = profile.Protocols.OrderByDescending(p => p.Count).Take(12).ToList();
        var isNew = observed is not null && protocols.All(p => p.Signature != observed);
        var rows = protocols.Select(p => (p.Signature, (double)p.Count, p.Signature == observed, p.AcceptedBy.Length > 0)).ToList();
        if (isNew)
        {
            rows.Add((observed!, 0, true, false));
        }

        var max = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Item2));
        const int Width = 520;
        const int LabelWidth = 190;
        const int RowHeight = 22;
        var height = (rows.Count * RowHeight) + 10;
        var svg = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<svg id=\"protocol-chart\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"protocol mix\">"));
        for (var i = 0; i < rows.Count; i++)
        {
            var (signature, count, marked, accepted) = rows[i];
            var y = 5 + (i * RowHeight);
            var bar = count / max * (Width - LabelWidth - 70);
            var fill = marked ? "#d2562b" : accepted ? "#1f7a4d" : "#4b7bbf";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 14}\">{Html.E(signature)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{LabelWidth}\" y=\"{y + 3}\" width=\"{Math.Max(bar, marked ? 3 : 1):0.#}\" height=\"14\" fill=\"{fill}\"/>");
            var text = marked && count == 0 ? "observed now, never learned" : count.ToString("#,0", CultureInfo.InvariantCulture) + (marked ? " (observed)" : accepted ? " (accepted)" : string.Empty);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + bar + 6:0.#}\" y=\"{y + 14}\"{(marked ? " class=\"observed\" font-weight=\"700\"" : string.Empty)}>{Html.E(text)}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>The normal density of log(1 + bytes), x in log space labelled in bytes, with the threshold and the observation.</summary>
    private static string VolumeChart(VolumeStatistics statistics, double? observed)
    {
        if (statistics.Samples == 0)
        {
            return "<p class=\"muted\">No volume learned yet.</p>";
        }

        const int Width = 520;
        const int Height = 200;
        const int Left = 10;
        const int Bottom = 170;
        var mean = statistics.MeanLog;
        var sigma = Math.Max(statistics.StddevLog, 0.05);
        var threshold = Math.Log(1 + statistics.AnomalyThresholdBytes);
        var mark = observed is { } o ? Math.Log(1 + o) : (double?)null;
        var low = Math.Max(0, mean - (4 * sigma));
        var high = Math.Max(mean + (4 * sigma), Math.Max(threshold, mark ?? 0)) + (0.5 * sigma);
        double X(double logBytes) => Left + ((logBytes - low) / (high - low) * (Width - (2 * Left)));
        double Density(double x) => Math.Exp(-0.5 * Math.Pow((x - mean) / sigma, 2));
        var points = Enumerable.Range(0, 121).Select(i => low + (i / 120.0 * (high - low)))
            .Select(x => string.Create(CultureInfo.InvariantCulture, $"{X(x):0.#},{Bottom - (Density(x) * 140):0.#}"));
        var svg = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<svg id=\"volume-chart\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"volume distribution\">"));
        svg.Append(CultureInfo.InvariantCulture, $"<polygon points=\"{X(low):0.#},{Bottom} {string.Join(' ', points)} {X(high):0.#},{Bottom}\" fill=\"#cfe0ff\" stroke=\"#4b7bbf\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Bottom}\" x2=\"{Width - Left}\" y2=\"{Bottom}\" stroke=\"#667085\"/>");
        for (var i = 0; i <= 5; i++)
        {
            var x = low + (i / 5.0 * (high - low));
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(x):0.#}\" y=\"{Bottom + 14}\" text-anchor=\"middle\">{Html.E(Html.Bytes(Math.Exp(x) - 1))}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(mean):0.#}\" y1=\"20\" x2=\"{X(mean):0.#}\" y2=\"{Bottom}\" stroke=\"#4b7bbf\" stroke-dasharray=\"3,3\"/><text x=\"{X(mean) + 4:0.#}\" y=\"28\">typical {Html.E(Html.Bytes(statistics.TypicalBytes))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(threshold):0.#}\" y1=\"40\" x2=\"{X(threshold):0.#}\" y2=\"{Bottom}\" stroke=\"#b54708\" stroke-dasharray=\"6,3\"/><text x=\"{X(threshold) + 4:0.#}\" y=\"48\">threshold {Html.E(Html.Bytes(statistics.AnomalyThresholdBytes))}</text>");
        if (mark is { } m)
        {
            var anchor = X(m) > Width - 120 ? "end" : "start";
            var dx = anchor == "end" ? -4 : 4;
            svg.Append(CultureInfo.InvariantCulture, $"<line id=\"observed-marker\" x1=\"{X(m):0.#}\" y1=\"60\" x2=\"{X(m):0.#}\" y2=\"{Bottom}\" stroke=\"#a3141b\" stroke-width=\"3\"/><text x=\"{X(m) + dx:0.#}\" y=\"70\" text-anchor=\"{anchor}\" font-weight=\"700\" fill=\"#a3141b\">observed {Html.E(Html.Bytes(observed!.Value))}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Bottom + 28}\" class=\"muted\">{statistics.Samples:#,0} samples · log(1+bytes) mean {mean:0.00}, σ {statistics.StddevLog:0.00}</text>");
        return svg.Append("</svg>").ToString();
    }
}
