namespace Vigil.Console.Pages;

/// <summary>The form that exchanges the change token for a cookie, so a browser can triage.</summary>
internal static class LoginPage
{
    public static string Render(string? problem) => $"""
        <h1>Sign in</h1>
        <p>Triage needs the console's change token (the file named by <code>Console:ChangeTokenFile</code>). Without it the console is read-only.</p>
        {(problem is null ? string.Empty : $"<p class=\"no\" id=\"login-problem\">{Html.E(problem)}</p>")}
        <form method="post" action="/login" class="filters"><label>Change token <input type="password" name="token" id="token" autocomplete="current-password" required></label>
        <button type="submit" id="sign-in">Sign in</button></form>
        """;
}
