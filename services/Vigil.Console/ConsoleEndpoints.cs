using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Console.Pages;
using Vigil.Contracts.Baseline;

namespace Vigil.Console;

/// <summary>The console's pages and its one changing endpoint (triage), mapped onto the web application.</summary>
public static class ConsoleEndpoints
{
    private const string AnalystCookie = "vigil_analyst";

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.MapGet("/console.css", () => Results.Text(Layout.Css, "text/css; charset=utf-8"));
        app.MapGet("/", async (HttpContext http, AlertStore store, RuleCatalog rules, ConsoleOptions options, ChangeAccess access) =>
            Layout.Page("Alerts", await AlertListPage.RenderAsync(store, rules, http.Request, options.RefreshInterval), access.Grant(http), access.HasToken));
        app.MapGet("/alerts/rows", async (HttpContext http, AlertStore store) =>
        {
            var (page, size) = AlertListPage.PagingOf(http.Request);
            var rows = await AlertListPage.RowsAsync(store, AlertListPage.FilterOf(http.Request), page, size, http.Request.QueryString.Value ?? string.Empty);
            return Results.Content(rows, "text/html; charset=utf-8");
        });
        app.MapGet("/alerts/{id}", ShowAlertAsync);
        app.MapPost("/alerts/{id}/triage", TriageAsync).DisableAntiforgery();
        app.MapGet("/rules", (HttpContext http, RuleCatalog rules, MetricsScraper scraper, ChangeAccess access) =>
            Layout.Page("Rules", RulesPage.Render(rules, scraper), access.Grant(http), access.HasToken));
        app.MapGet("/pipeline", (HttpContext http, MetricsScraper scraper, ConsoleOptions options, ChangeAccess access) =>
            Layout.Page("Pipeline", PipelinePage.Render(scraper, options), access.Grant(http), access.HasToken));
        app.MapGet("/login", (HttpContext http, ChangeAccess access) => Layout.Page("Sign in", LoginPage.Render(null), access.Grant(http), access.HasToken));
        app.MapPost("/login", LoginAsync).DisableAntiforgery();
        app.MapPost("/logout", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(ChangeAccess.Cookie);
            return Results.Redirect("/", permanent: false);
        }).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> ShowAlertAsync(string id, HttpContext http, AlertStore store, RuleCatalog rules, ChangeAccess access, IServiceProvider services)
    {
        var grant = access.Grant(http);
        var stored = await store.GetAsync(id);
        if (stored is null)
        {
            return Layout.Page("Unknown alert", $"<h1>Unknown alert</h1><p>No stored alert has id <code>{Html.E(id)}</code> (it may have been evicted).</p>", grant, access.HasToken, 404);
        }

        var history = await store.HistoryAsync(id);
        var profile = string.Equals(stored.Alert.Rule?.AnalyticId, "AN1227", StringComparison.OrdinalIgnoreCase)
            ? await ProfileAsync(stored, services.GetService<BaselineService.BaselineServiceClient>(), http.RequestAborted)
            : string.Empty;
        var body = AlertDetailPage.Render(stored, history, rules.Find(stored.Alert.Rule?.Id ?? string.Empty), grant, http.Request.Cookies[AnalystCookie], profile);
        return Layout.Page(stored.Alert.Rule?.Name ?? "Alert", body, grant, access.HasToken);
    }

    private static async Task<string> ProfileAsync(StoredAlert stored, BaselineService.BaselineServiceClient? client, CancellationToken cancellationToken)
    {
        if (client is null)
        {
            return ProfileSection.Render(stored.Alert, null, null, "no baseline is configured (Console:BaselineUrl)");
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        try
        {
            var explained = await client.ExplainAlertAsync(new ExplainAlertRequest { AlertId = stored.Alert.Id }, deadline: deadline, cancellationToken: cancellationToken);
            var image = explained.Explanation?.Image ?? explained.CurrentProfile?.Image ?? string.Empty;
            var profile = image.Length == 0 ? null : await client.GetProfileAsync(
                new GetProfileRequest { Image = image, HostId = stored.Alert.Host?.Id ?? string.Empty }, deadline: deadline, cancellationToken: cancellationToken);
            return ProfileSection.Render(stored.Alert, explained, profile, null);
        }
        catch (RpcException e)
        {
            return ProfileSection.Render(stored.Alert, null, null, $"{e.StatusCode}: {e.Status.Detail}");
        }
    }

    private static async Task<IResult> TriageAsync(string id, HttpContext http, AlertStore store, ChangeAccess access)
    {
        var grant = access.Grant(http);
        if (grant is null || !ChangeAccess.IsSameOrigin(http))
        {
            var why = grant is null ? "This console is read-only for you: sign in with the change token to triage." : "Triage must come from the console's own pages.";
            return Layout.Page("Forbidden", $"<h1>Forbidden</h1><p id=\"forbidden\">{Html.E(why)}</p>", grant, access.HasToken, StatusCodes.Status403Forbidden);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        TriageAction? action = form["action"].ToString() switch
        {
            "acknowledge" => TriageAction.Acknowledge,
            "assign" => TriageAction.Assign,
            "close-true-positive" => TriageAction.CloseTruePositive,
            "close-false-positive" => TriageAction.CloseFalsePositive,
            "reopen" => TriageAction.Reopen,
            _ => null,
        };
        var analyst = form["analyst"].ToString().Trim();
        var note = form["note"].ToString();
        var problem = action is null ? "Unknown triage action."
            : analyst.Length is 0 or > 100 ? "Say who you are (a name of at most 100 characters)."
            : note.Length > 4000 ? "The note is longer than 4000 characters."
            : action is TriageAction.CloseFalsePositive or TriageAction.CloseTruePositive && string.IsNullOrWhiteSpace(note) ? "Closing needs a note saying why."
            : null;
        if (problem is not null)
        {
            return Layout.Page("Triage refused", $"<h1>Triage refused</h1><p id=\"problem\">{Html.E(problem)}</p><p><a href=\"/alerts/{Html.Url(id)}\">Back to the alert</a></p>", grant, access.HasToken, StatusCodes.Status400BadRequest);
        }

        var entry = await store.TriageAsync(id, action!.Value, $"{analyst} ({grant})", note, form["assignee"]);
        if (entry is null)
        {
            return Results.NotFound();
        }

        http.Response.Cookies.Append(AnalystCookie, analyst, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, MaxAge = TimeSpan.FromDays(30) });
        return Results.Redirect($"/alerts/{Uri.EscapeDataString(id)}", permanent: false);
    }

    private static async Task<IResult> LoginAsync(HttpContext http, ChangeAccess access)
    {
        if (!ChangeAccess.IsSameOrigin(http))
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var token = form["token"].ToString().Trim();
        if (!access.Matches(token))
        {
            return Layout.Page("Sign in", LoginPage.Render(access.HasToken ? "That is not the change token." : "This console has no change token configured (Console:ChangeTokenFile)."), access.Grant(http), access.HasToken, StatusCodes.Status401Unauthorized);
        }

        http.Response.Cookies.Append(ChangeAccess.Cookie, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, MaxAge = TimeSpan.FromHours(12) });
        return Results.Redirect("/", permanent: false);
    }
}
