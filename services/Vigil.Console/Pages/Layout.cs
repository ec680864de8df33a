using Microsoft.AspNetCore.Http;

namespace Vigil.Console.Pages;

/// <summary>The frame around every page: navigation, who may change things, and the stylesheet.</summary>
internal static class Layout
{
    public static IResult Page(string title, string body, string? grant, bool hasToken, int status = 200) =>
        Results.Content(Render(title, body, grant, hasToken), "text/html; charset=utf-8", statusCode: status);

    public static string Render(string title, string body, string? grant, bool hasToken)
    {
        var access = grant switch
        {
            "token" => "<span class=\"access rw\">triage allowed (change token)</span> <form class=\"inline\" method=\"post\" action=\"/logout\"><button>Sign out</button></form>",
            "loopback" => "<span class=\"access rw\">triage allowed (loopback)</span>",
            _ => "<span class=\"access ro\" id=\"read-only\">read-only</span>" + (hasToken ? " <a href=\"/login\">Sign in with the change token</a>" : string.Empty),
        };
        return $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Html.E(title)}} · Vigil</title><link rel="stylesheet" href="/console.css"></head>
            <body><header><a class="brand" href="/">Vigil</a><nav><a href="/">Alerts</a><a href="/rules">Rules</a><a href="/pipeline">Pipeline</a></nav><div class="who">{{access}}</div></header>
            <main>{{body}}</main></body></html>
            """;
    }

    public const string Css = """
        :root { --bg:#f6f7f9; --fg:#1d2330; --muted:#667085; --line:#d9dde5; --accent:#2453a6; }
        * { box-sizing: border-box; }
        body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); }
        header { display:flex; align-items:center; gap:24px; padding:10px 20px; background:#1d2330; color:#fff; }
        header a { color:#fff; text-decoration:none; } .brand { font-weight:700; font-size:18px; }
        nav a { margin-right:16px; opacity:.85; } nav a:hover { opacity:1; } .who { margin-left:auto; }
        .access { padding:2px 8px; border-radius:10px; font-size:12px; } .rw { background:#1f7a4d; } .ro { background:#8a5a00; }
        .who a { text-decoration:underline; font-size:12px; margin-left:8px; }
        main { padding:16px 20px; max-width:1400px; }
        h1 { font-size:20px; margin:4px 0 12px; } h2 { font-size:16px; margin:20px 0 8px; border-bottom:1px solid var(--line); padding-bottom:4px; }
        table { border-collapse:collapse; width:100%; background:#fff; } th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
        th { background:#eef1f5; font-weight:600; font-size:12px; text-transform:uppercase; color:#475067; }
        tr.row:hover { background:#f0f4ff; cursor:pointer; } a { color:var(--accent); }
        .sev { padding:1px 6px; border-radius:4px; font-size:12px; font-weight:600; color:#fff; background:#667085; }
        .sev-low { background:#4b7bbf; } .sev-medium { background:#c98a00; } .sev-high { background:#d2562b; } .sev-critical { background:#a3141b; }
        .status { font-size:12px; padding:1px 6px; border-radius:4px; background:#e4e7ec; }
        .st-new { background:#ffe3a3; } .st-acknowledged { background:#cfe0ff; } .st-closed-true-positive { background:#f8c4c4; } .st-closed-false-positive { background:#d4ecd9; }
        form.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:end; margin-bottom:10px; background:#fff; padding:10px; border:1px solid var(--line); }
        form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); }
        input, select, textarea, button { font:inherit; padding:4px 6px; } button { cursor:pointer; }
        .inline { display:inline; } .muted { color:var(--muted); } .pager { margin:10px 0; display:flex; gap:12px; align-items:center; }
        .grid { display:grid; grid-template-columns: 1fr 1fr; gap:20px; } @media (max-width: 1000px) { .grid { grid-template-columns: 1fr; } }
        .card { background:#fff; border:1px solid var(--line); padding:12px; margin-bottom:16px; }
        ul.tree, ul.tree ul { list-style:none; margin:0; padding-left:22px; } ul.tree { padding-left:0; }
        ul.tree li { position:relative; margin:6px 0; } ul.tree ul li::before { content:"└─"; position:absolute; left:-20px; color:#98a2b3; }
        .proc { display:inline-block; border:1px solid var(--line); background:#fafbfc; padding:4px 8px; border-radius:4px; }
        .proc .name { font-weight:700; } .proc code { display:block; font-size:12px; color:#344054; white-space:pre-wrap; word-break:break-all; }
        .act { font-size:12px; margin:2px 0 0 6px; } .act .kind { display:inline-block; min-width:60px; font-weight:600; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; } pre { background:#f2f4f7; padding:8px; overflow:auto; }
        .ok { color:#1f7a4d; font-weight:600; } .no { color:#a3141b; } .warn { color:#b54708; font-weight:600; }
        .triage form { margin:6px 0; display:flex; gap:8px; flex-wrap:wrap; align-items:center; }
        .reason { background:#fff; border-left:4px solid var(--accent); padding:8px 12px; margin-bottom:8px; }
        svg text { font: 11px system-ui, sans-serif; fill:#344054; }
        """;
}
