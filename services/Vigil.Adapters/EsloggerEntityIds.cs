using System.Security.Cryptography;
using System.Text;

namespace Vigil.Adapters;

/// <summary>
/// Stable <c>process.entity_id</c>s for Endpoint Security audit tokens. A pid is reused, but (pid, pidversion) names
/// one process image on one boot (exec gives the same pid a new pidversion), so with the host id it names one process
/// across the fleet. Everything that publishes events about eslogger-observed processes (the eslogger adapter,
/// vigil-agent's network source, the simulator's eslogger output) derives ids here, so sequences joined on
/// <c>process.entity_id</c> line up across sources.
/// </summary>
public static class EsloggerEntityIds
{
    /// <summary>Base64 of the first 18 bytes of SHA-256("host\npid\npidversion"): 24 characters, like Elastic Defend's ids.</summary>
    public static string For(string hostId, long pid, long pidVersion)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{hostId}\n{pid}\n{pidVersion}"), hash);
        return Convert.ToBase64String(hash[..18]);
    }
}
