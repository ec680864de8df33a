using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Vigil.Baseline.Api;

/// <summary>
/// Who may change what the baseline alerts on (AcceptProtocol): a caller on the service's own loopback (unless
/// <see cref="BaselineOptions.AllowLoopbackChanges"/> is off), or one presenting the change token from
/// <see cref="BaselineOptions.ChangeTokenFile"/> as a bearer token. Reads stay open.
/// </summary>
public sealed class ChangeAuthorization
{
    private readonly byte[]? token;
    private readonly bool allowLoopback;

    public ChangeAuthorization(BaselineOptions options)
    {
        allowLoopback = options.AllowLoopbackChanges;
        if (!string.IsNullOrEmpty(options.ChangeTokenFile))
        {
            token = Encoding.UTF8.GetBytes(ReadToken(options.ChangeTokenFile));
        }
    }

    /// <summary>The token a change-token file holds: its text without surrounding whitespace (a Secret's trailing newline).</summary>
    public static string ReadToken(string path) => File.ReadAllText(path).Trim();

    public bool Allows(HttpContext http)
    {
        var remote = http.Connection.RemoteIpAddress;
        if (allowLoopback && remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return true;
        }

        const string Bearer = "Bearer ";
        var header = http.Request.Headers.Authorization.ToString();
        return token is not null
            && header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[Bearer.Length..].Trim()), token);
    }
}
