namespace Vigil.FleetSim.Endpoint;

/// <summary>An outbound connection a process opened; its start and end events describe the same flow.</summary>
/// <param name="Protocol">Application protocol (network.protocol): https, http, ftp...; empty for a raw socket nothing recognised.</param>
internal sealed record Connection(SimProcess Process, NetworkPeer Peer, string Transport, string Protocol, int SourcePort);
