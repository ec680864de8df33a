namespace Vigil.Agent;

/// <summary>One socket of one process in a nettop sample, with the bytes it moved so far.</summary>
public sealed record NettopConnection(
    long Pid,
    string ProcessName,
    string Transport,
    string IpVersion,
    string LocalIp,
    long LocalPort,
    string RemoteIp,
    long RemotePort,
    string State,
    string Interface,
    long BytesIn,
    long BytesOut)
{
    /// <summary>Identifies the same socket across samples.</summary>
    public string Key => $"{Pid}|{Transport}{IpVersion}|{LocalIp}:{LocalPort}|{RemoteIp}:{RemotePort}";
}
