using System.Globalization;
using System.Text;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;

namespace Vigil.Console.Pages;

/// <summary>One alert: why it fired, triage and history, the rule with its MITRE mapping, the process tree, the evidence
/// timeline, the exceptions that would allow it, and (for AN1227) the learned profile beside the anomaly.</summary>
internal static class AlertDetailPage
{
    public static string Render(StoredAlert stored, IReadOnlyList<TriageEntry> history, CompiledRule? rule, string? grant, string? analyst, string profileSection)
    {
        var a = stored.Alert;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <h1>{Html.Severity(a.Rule?.Severity)} {Html.E(a.Rule?.Name)}</h1>
            <div class="reason" id="reason">{Html.E(a.Reason)}</div>
            <p class="muted">Alert <code>{Html.E(a.Id)}</code> · {Html.E(a.Rule?.AnalyticId)} · host <b>{Html.E(a.Host?.Name)}</b> (<code>{Html.E(a.Host?.Id)}</code>) · user <b>{Html.E(a.User?.Name)}</b>
            · events {Html.Time(a.FirstEventTime)} – {Html.Time(a.LastEventTime)} · detected {Html.Time(a.DetectionTime)} by {Html.E(a.Producer)}</p>
            """);
        html.Append("<div class=\"grid\"><section class=\"card triage\" id=\"triage\"><h2>Triage</h2>");
        html.Append(CultureInfo.InvariantCulture, $"<p>Status {Html.Status(stored.Triage.Status)} <span id=\"status\" hidden>{Html.E(stored.Triage.Status)}</span> · assignee <b id=\"assignee\">{Html.E(stored.Triage.Assignee ?? "nobody")}</b></p>");
        html.Append(grant is null ? "<p class=\"muted\" id=\"triage-read-only\">Read-only: sign in with the change token to triage.</p>" : TriageForms(a.Id, analyst, stored.Triage));
        html.Append(History(history));
        html.Append("</section><section class=\"card\" id=\"rule\"><h2>Rule</h2>");
        html.Append(Rule(a.Rule, rule));
        html.Append("</section></div>");
        if (profileSection.Length > 0)
        {
            html.Append(profileSection);
        }

        var tree = ProcessTree.Build(a);
        html.Append("<section class=\"card\" id=\"process-tree\"><h2>Process tree</h2>");
        html.Append(tree.Roots.Count == 0 ? "<p class=\"muted\">The evidence names no processes.</p>" : "<ul class=\"tree\">" + string.Concat(tree.Roots.Select(r => Node(r, tree.Origin))) + "</ul>");
        html.Append("</section>");
        html.Append(Timeline(a, tree.Origin));
        if (a.Observations.Count > 0)
        {
            html.Append("<section class=\"card\" id=\"observations\"><h2>Expected versus observed</h2><table><thead><tr><th>Fact</th><th>Observed</th><th>Expected</th><th>Detail</th></tr></thead><tbody>");
            foreach (var o in a.Observations)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(o.Name)}</td><td><b>{Html.E(o.Observed)}</b></td><td>{Html.E(o.Expected)}</td><td>{Html.E(o.Detail)}</td></tr>");
            }

            html.Append("</tbody></table></section>");
        }

        html.Append(Exceptions(a, rule));
        return html.ToString();
    }

    private static string TriageForms(string id, string? analyst, TriageState state)
    {
        var action = "/alerts/" + Html.Url(id) + "/triage";
        var who = $"<input name=\"analyst\" placeholder=\"your name\" value=\"{Html.E(analyst)}\" required aria-label=\"your name\">";
        var closed = TriageStatus.IsClosed(state.Status);
        return $$"""
            <form method="post" action="{{action}}" id="ack-form">{{who}}
              <button name="action" value="acknowledge" id="acknowledge"{{(state.Status == TriageStatus.New ? string.Empty : " disabled")}}>Acknowledge</button></form>
            <form method="post" action="{{action}}" id="assign-form"><input type="hidden" name="analyst" value="{{Html.E(analyst)}}" class="analyst-copy">
              <input name="assignee" placeholder="assign to" aria-label="assignee" required> <button name="action" value="assign" id="assign">Assign</button></form>
            <form method="post" action="{{action}}" id="close-form"><input type="hidden" name="analyst" value="{{Html.E(analyst)}}" class="analyst-copy">
              <input name="note" id="note" placeholder="why (kept with the verdict)" size="40" aria-label="note" required>
              <button name="action" value="close-true-positive" id="close-tp">Close: true positive</button>
              <button name="action" value="close-false-positive" id="close-fp">Close: false positive</button>
              {{(closed ? "<button name=\"action\" value=\"reopen\" id=\"reopen\">Reopen</button>" : string.Empty)}}</form>
            <script>
            (function () {
              const name = document.querySelector('#ack-form input[name=analyst]');
              const sync = () => document.querySelectorAll('.analyst-copy').forEach(i => i.value = name.value);
              name.addEventListener('input', sync);
              document.querySelectorAll('#assign-form, #close-form').forEach(f => f.addEventListener('submit', e => {
                sync(); if (!name.value.trim()) { e.preventDefault(); name.reportValidity(); }
              }));
            })();
            </script>
            """;
    }

    private static string History(IReadOnlyList<TriageEntry> history)
    {
        var html = new StringBuilder("<h2>History</h2><table id=\"history\"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Status</th><th>Note</th></tr></thead><tbody>");
        foreach (var h in history)
        {
            var what = h.Action == AlertStore.ActionName(TriageAction.Assign) ? $"assigned to {h.Assignee ?? "nobody"}" : h.Action;
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Time(h.At)}</td><td>{Html.E(h.By)}</td><td>{Html.E(what)}</td><td>{Html.Status(h.Status)}</td><td>{Html.E(h.Note)}</td></tr>");
        }

        if (history.Count == 0)
        {
            html.Append("<tr><td colspan=\"5\" class=\"muted\">No triage yet.</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static string Rule(Rule? alertRule, CompiledRule? compiled)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p><b>{Html.E(alertRule?.Name)}</b><br><span class=\"muted\">id <code>{Html.E(alertRule?.Id)}</code> · version {alertRule?.Version} · risk {alertRule?.RiskScore} · {Html.E(alertRule?.AnalyticId)}</span></p>");
        html.Append(CultureInfo.InvariantCulture, $"<p>{Html.E(alertRule?.Description)}</p>");
        html.Append("<table id=\"mitre\"><thead><tr><th>Tactic</th><th>Techniques</th></tr></thead><tbody>");
        if (compiled is not null && compiled.Rule.Threats.Count > 0)
        {
            foreach (var threat in compiled.Rule.Threats)
            {
                var techniques = threat.Techniques.SelectMany(t => t.Subtechniques.Select(s => (s.Id, s.Name)).Prepend((t.Id, t.Name)))
                    .Select(t => $"{Html.Technique(t.Id)} {Html.E(t.Name)}");
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Tactic(threat.Tactic.Id)} {Html.E(threat.Tactic.Name)}</td><td>{string.Join("<br>", techniques)}</td></tr>");
            }
        }
        else if (alertRule is not null && (alertRule.Tactics.Count > 0 || alertRule.Techniques.Count > 0))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{string.Join("<br>", alertRule.Tactics.Select(Html.Tactic))}</td><td>{string.Join("<br>", alertRule.Techniques.Select(Html.Technique))}</td></tr>");
        }
        else
        {
            html.Append("<tr><td colspan=\"2\" class=\"muted\">The alert carries no MITRE ATT&amp;CK mapping.</td></tr>");
        }

        html.Append("</tbody></table>");
        if (compiled is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<details><summary>Query ({Html.E(Path.GetFileName(compiled.Rule.SourceName))})</summary><pre>{Html.E(compiled.Rule.Query.Text)}</pre></details>");
        }

        return html.ToString();
    }

    private static string Node(ProcessNode node, long origin)
    {
        var html = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<li data-entity-id=\"{Html.E(node.EntityId)}\"><div class=\"proc\"><span class=\"name\">{Html.E(node.Label)}</span>"));
        html.Append(CultureInfo.InvariantCulture, $" <span class=\"muted\">pid {node.Pid} · {Html.E(node.Executable)}{(node.User is null ? string.Empty : " · " + Html.E(node.User))}{(node.Start > 0 ? " · started " + Html.Time(node.Start) : string.Empty)}</span>");
        if (node.CommandLine.Length > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<code class=\"cmd\">{Html.E(node.CommandLine)}</code>");
        }

        foreach (var act in node.Activities)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"act\" data-kind=\"{Html.E(act.Kind)}\"><span class=\"muted\">{Offset(act.Timestamp, origin)}</span> <span class=\"kind\">{Html.E(act.Kind)}</span> {Html.E(act.Action)} <span class=\"detail\">{Html.E(act.Detail)}</span> <span class=\"muted\">step {act.Step + 1}</span></div>");
        }

        html.Append("</div>");
        if (node.Children.Count > 0)
        {
            html.Append("<ul>").Append(string.Concat(node.Children.Select(c => Node(c, origin)))).Append("</ul>");
        }

        return html.Append("</li>").ToString();
    }

    private static string Offset(long timestamp, long origin) =>
        string.Create(CultureInfo.InvariantCulture, $"+{(timestamp - origin) / 1e9:0.000} s");

    private static string Timeline(Alert a, long origin)
    {
        var html = new StringBuilder("<section class=\"card\" id=\"timeline\"><h2>Evidence timeline</h2><table><thead><tr><th>Time</th><th>+</th><th>Step</th><th>Process</th><th>Event</th><th>Detail</th><th>Event id</th></tr></thead><tbody>");
        foreach (var e in a.Evidence.Where(e => e.Event is not null).OrderBy(e => e.Event.Timestamp).ThenBy(e => e.Step))
        {
            var ev = e.Event;
            var detail = ev.File?.Path is { Length: > 0 } path ? path
                : ev.Destination is { } d && (d.Ip.Length > 0 || d.Domain.Length > 0) ? $"{d.Domain} {d.Ip}:{d.Port}".Trim()
                : ev.Dns?.Question?.Name ?? ev.Process?.CommandLine ?? string.Empty;
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{Html.Time(ev.Timestamp)}</td><td>{Offset(ev.Timestamp, origin)}</td><td>{e.Step + 1}</td><td>{Html.E(ev.Process?.Name)} <span class="muted">{ev.Process?.Pid}</span></td>
                <td>{Html.E(string.Join(",", ev.Event?.Category ?? []))} {Html.E(ev.Event?.Action)}</td><td><code>{Html.E(detail)}</code></td><td><code>{Html.E(ev.Event?.Id)}</code></td></tr>
                """);
        }

        return html.Append("</tbody></table></section>").ToString();
    }

    private static string Exceptions(Alert a, CompiledRule? rule)
    {
        var html = new StringBuilder("<section class=\"card\" id=\"exceptions\"><h2>Exceptions</h2>");
        if (rule is null)
        {
            html.Append("<p class=\"muted\">This rule is not in the console's rule packs (baseline rules have no [vigil] exceptions; a benign new protocol is accepted with <code>vigil baseline accept</code>).</p>");
            return html.Append("</section>").ToString();
        }

        var evidence = a.Evidence.Select(e => e.Event).Where(e => e is not null).ToList();
        var assessed = ExceptionAssessment.Assess(rule.Rule.Vigil.Exceptions, evidence);
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">From <code>{Html.E(rule.Rule.SourceName)}</code>: an entry allows an alert when every criterion it names holds for some evidence event.</p>");
        if (assessed.Count > 0)
        {
            html.Append("<table><thead><tr><th>Entry</th><th>Criteria (✔ holds for this alert's evidence)</th><th>Would allow</th></tr></thead><tbody>");
            foreach (var x in assessed)
            {
                var criteria = string.Join("<br>", x.Criteria.Select(c =>
                    $"<span class=\"{(c.Holds ? "ok" : "no")}\">{(c.Holds ? "✔" : "✘")}</span> <code>{Html.E(c.Key)}</code> = {Html.E(string.Join(", ", c.Values))}"));
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(x.Entry.Description)}</td><td>{criteria}</td><td>{(x.Allows ? "<span class=\"ok\">yes</span>" : "no")}</td></tr>");
            }

            html.Append("</tbody></table>");
        }
        else
        {
            html.Append("<p>The rule has no exceptions.</p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<p>An entry that would allow this alert (and alerts like it), to add under the rule's <code>[vigil]</code> section if it is benign:</p><pre id=\"suggested-exception\">{Html.E(ExceptionAssessment.Suggest(rule.Rule.Name, evidence))}</pre>");
        return html.Append("</section>").ToString();
    }
}
