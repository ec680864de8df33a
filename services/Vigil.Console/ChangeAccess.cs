using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Vigil.Console;

/// <summary>
/// Who may triage, as the baseline decides who may change profiles: a caller on the console's own loopback (unless
/// <see cref="ConsoleOptions.AllowLoopbackChanges"/> is off), or one presenting the change token from
/// <see cref="ConsoleOptions.ChangeTokenFile"/>, as a bearer token or in the cookie the login form sets. Everyone else reads.
/// </summary>
public sealed class ChangeAccess
{
    public const string Cookie = "vigil_change_token";
    private readonly byte[]? token;
    private readonly bool allowLoopback;

    public ChangeAccess(ConsoleOptions options)
    {
        allowLoopback = options.AllowLoopbackChanges;
        if (!string.IsNullOrEmpty(options.ChangeTokenFile))
        {
            // The token file's text without surrounding whitespace (a Kubernetes Secret's trailing newline).
            token = Encoding.UTF8.GetBytes(File.ReadAllText(options.ChangeTokenFile).Trim());
        }
    }

    /// <summary>Whether a login form makes sense: there is a token to present.</summary>
    public bool HasToken => token is not null;

    /// <summary>How the caller may change things: "loopback", "token", or null for read-only.</summary>
    public string? Grant(HttpContext http)
    {
        if (Matches(http.Request.Cookies[Cookie]))
        {
            return "token";
        }

        const string Bearer = "Bearer ";
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) && Matches(header[Bearer.Length..].Trim()))
        {
            return "token";
        }

        var remote = http.Connection.RemoteIpAddress;
        return allowLoopback && remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)
            ? "loopback"
            : null;
    }

    public bool Matches(string? presented) =>
        token is not null && presented is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), token);

    /// <summary>
    /// A change must come from the console's own pages: a form posted from another origin (a page the analyst happens to
    /// visit) carries the analyst's cookie or loopback address but is refused here.
    /// </summary>
    public static bool IsSameOrigin(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return http.Request.Headers["Sec-Fetch-Site"].ToString() is "" or "same-origin" or "none";
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
