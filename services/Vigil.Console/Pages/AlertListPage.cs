using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Vigil.Console.Pages;

/// <summary>The live alert list: filters, a page of alerts that refreshes itself, and paging.</summary>
internal static class AlertListPage
{
    public static AlertFilter FilterOf(HttpRequest request) => new(
        request.Query["analytic"], request.Query["rule"], request.Query["severity"], request.Query["host"], request.Query["user"], request.Query["status"]);

    public static (int Page, int Size) PagingOf(HttpRequest request) => (
        int.TryParse(request.Query["page"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var page) ? page : 1,
        int.TryParse(request.Query["size"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) ? size : 50);

    public static async Task<string> RenderAsync(AlertStore store, RuleCatalog rules, HttpRequest request, TimeSpan refresh)
    {
        var filter = FilterOf(request);
        var (page, size) = PagingOf(request);
        var analytics = rules.Rules.Select(r => r.AnalyticId).Concat(await store.SuggestionsAsync(AlertIndex.Analytic)).Select(a => a.ToUpperInvariant()).Append("AN1227").Distinct().Order(StringComparer.Ordinal);
        var ruleOptions = rules.Rules.Select(r => (r.RuleId, r.Rule.Name)).ToList();
        var knownRuleIds = ruleOptions.Select(r => r.RuleId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        ruleOptions.AddRange((await store.SuggestionsAsync(AlertIndex.Rule)).Where(id => !knownRuleIds.Contains(id)).Select(id => (id, id)));

        var form = new StringBuilder("<form class=\"filters\" method=\"get\" action=\"/\" id=\"filters\">");
        form.Append(Html.Select("analytic", "Analytic", analytics, filter.Analytic));
        form.Append("<label>Rule <select name=\"rule\"><option value=\"\">any</option>");
        foreach (var (id, name) in ruleOptions)
        {
            var selected = string.Equals(id, filter.Rule?.Trim(), StringComparison.OrdinalIgnoreCase) ? " selected" : string.Empty;
            form.Append(CultureInfo.InvariantCulture, $"<option value=\"{Html.E(id)}\"{selected}>{Html.E(name)}</option>");
        }

        form.Append("</select></label>");
        form.Append(Html.Select("severity", "Severity", ["low", "medium", "high", "critical"], filter.Severity));
        form.Append(CultureInfo.InvariantCulture, $"<label>Host <input name=\"host\" list=\"hosts\" value=\"{Html.E(filter.Host)}\" placeholder=\"host name or id\"></label>");
        form.Append(CultureInfo.InvariantCulture, $"<label>User <input name=\"user\" list=\"users\" value=\"{Html.E(filter.User)}\" placeholder=\"user name\"></label>");
        form.Append(Html.Select("status", "Status", TriageStatus.All, filter.Status));
        form.Append(Html.Select("size", "Per page", ["25", "50", "100", "200"], size.ToString(CultureInfo.InvariantCulture)));
        form.Append("<button type=\"submit\">Filter</button> <a href=\"/\">clear</a></form>");
        form.Append(DataList("hosts", await store.SuggestionsAsync(AlertIndex.Host)));
        form.Append(DataList("users", await store.SuggestionsAsync(AlertIndex.User)));

        var query = request.QueryString.HasValue ? request.QueryString.Value : string.Empty;
        var rows = await RowsAsync(store, filter, page, size, query);
        var millis = (int)refresh.TotalMilliseconds;
        return $$"""
            <h1>Alerts <span class="muted" id="live">live, refreshed every {{refresh.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}} s</span></h1>
            {{form}}
            <div id="alerts">{{rows}}</div>
            <script>
            (function () {
              const target = document.getElementById('alerts');
              async function refresh() {
                try {
                  const response = await fetch('/alerts/rows' + window.location.search, { headers: { 'Accept': 'text/html' } });
                  if (response.ok) { target.innerHTML = await response.text(); }
                } catch (e) { /* the next tick retries */ }
              }
              setInterval(refresh, {{millis}});
              target.addEventListener('click', e => {
                const row = e.target.closest('tr[data-href]');
                if (row && !e.target.closest('a')) { window.location = row.dataset.href; }
              });
            })();
            </script>
            """;
    }

    /// <summary>The table and pager for one page: the part the browser fetches again on each refresh.</summary>
    public static async Task<string> RowsAsync(AlertStore store, AlertFilter filter, int page, int size, string query)
    {
        var result = await store.PageAsync(filter, page, size);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"pager\"><span id=\"total\">{result.Total:#,0} alert(s)</span>");
        if (result.Page > 1)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{PageLink(query, result.Page - 1)}\">← newer</a>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<span>page {result.Page} of {result.PageCount}</span>");
        if (result.Page < result.PageCount)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{PageLink(query, result.Page + 1)}\">older →</a>");
        }

        html.Append("</div><table id=\"alert-table\"><thead><tr><th>Detected</th><th>Severity</th><th>Rule</th><th>Analytic</th><th>Host</th><th>User</th><th>Status</th><th>Assignee</th></tr></thead><tbody>");
        foreach (var stored in result.Alerts)
        {
            var a = stored.Alert;
            var link = "/alerts/" + Html.Url(a.Id);
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr class="row" data-href="{link}" data-alert-id="{Html.E(a.Id)}"><td>{Html.Time(a.DetectionTime)}</td><td>{Html.Severity(a.Rule?.Severity)}</td>
                <td><a href="{link}">{Html.E(a.Rule?.Name)}</a></td><td>{Html.E(a.Rule?.AnalyticId)}</td><td>{Html.E(a.Host?.Name is { Length: > 0 } n ? n : a.Host?.Id)}</td>
                <td>{Html.E(a.User?.Name)}</td><td>{Html.Status(stored.Triage.Status)}</td><td>{Html.E(stored.Triage.Assignee)}</td></tr>
                """);
        }

        if (result.Alerts.Count == 0)
        {
            html.Append("<tr><td colspan=\"8\" class=\"muted\">No alerts match.</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static string PageLink(string query, int page)
    {
        var parameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);
        parameters["page"] = page.ToString(CultureInfo.InvariantCulture);
        return Html.E(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/", parameters));
    }

    private static string DataList(string id, IEnumerable<string> values) =>
        $"<datalist id=\"{id}\">{string.Concat(values.Select(v => $"<option value=\"{Html.E(v)}\">"))}</datalist>";
}
