using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Vigil.Baseline.Api;

/// <summary>
/// Who may read profiles, listings and explanations: everyone, unless <see cref="BaselineApiOptions.ReadTokenFile"/>
/// is set; then a loopback caller (while <see cref="BaselineApiOptions.AllowLoopbackReads"/> is on) or one presenting
/// the read token or the change token (whoever may change the baseline may read it).
/// </summary>
public sealed class ReadAuthorization
{
    private readonly byte[][] tokens;
    private readonly bool allowLoopback;
    private readonly bool open;

    public ReadAuthorization(BaselineApiOptions api, BaselineOptions baseline)
    {
        open = string.IsNullOrEmpty(api.ReadTokenFile);
        allowLoopback = api.AllowLoopbackReads;
        tokens = new[] { api.ReadTokenFile, baseline.ChangeTokenFile }
            .Where(f => !string.IsNullOrEmpty(f))
            .Select(f => Encoding.UTF8.GetBytes(ChangeAuthorization.ReadToken(f!)))
            .ToArray();
    }

    public bool Allows(HttpContext http)
    {
        if (open)
        {
            return true;
        }

        var remote = http.Connection.RemoteIpAddress;
        if (allowLoopback && remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return true;
        }

        const string Bearer = "Bearer ";
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(header[Bearer.Length..].Trim());
        var allowed = false;
        foreach (var token in tokens)
        {
            // Every token is compared, in constant time, so timing does not tell which one nearly matched.
            allowed |= CryptographicOperations.FixedTimeEquals(presented, token);
        }

        return allowed;
    }
}
