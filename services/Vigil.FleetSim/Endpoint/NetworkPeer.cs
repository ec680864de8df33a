namespace Vigil.FleetSim.Endpoint;

/// <summary>The remote end of a connection: a domain (when the process resolved one), its address and port.</summary>
internal sealed record NetworkPeer(string? Domain, string Ip, int Port)
{
    /// <summary>A named service, at the address the domain resolves to fleet-wide.</summary>
    public static NetworkPeer Named(string domain, int port) => new(domain, Internet.Resolve(domain), port);

    /// <summary>A bare address, as malware often uses to skip DNS.</summary>
    public static NetworkPeer Address(string ip, int port) => new(null, ip, port);
}
