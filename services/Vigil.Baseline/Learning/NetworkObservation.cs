using System.Globalization;
using Vigil.Baseline.Identity;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.Baseline.Learning;

/// <summary>
/// One network event as a profile sees it: whose image, which host, what protocol, where to, how many bytes. A value:
/// most events of a fleet are network events, and an object each was a good part of what the baseline allocated per
/// event; a batch's observations live in one list the handler reuses.
/// </summary>
/// <param name="BytesSent">Bytes the host sent (source.bytes on egress, destination.bytes on ingress).</param>
/// <param name="HasVolume">Whether the event carried byte counts (connection ends do).</param>
public readonly record struct NetworkObservation(
    ConsumedRecord<TelemetryEvent> Record,
    ProcessImage Image,
    string HostId,
    ObservationKind Kind,
    ProtocolSignature Signature,
    string Destination,
    long BytesSent,
    long BytesReceived,
    bool HasVolume)
{
    // "host:port" of the peers seen, built once per peer: a fleet talks to comparatively few, and every observation of
    // a peer needs its text.
    private static readonly BoundedCache<(string Host, long Port), string> Peers = new(16_384);

    /// <summary>
    /// <see cref="Signature"/>'s text, looked up once when the observation is made: the detector needs it several times
    /// per observation (host view, profile, suppression, contribution), and each lookup hashed the signature's strings.
    /// </summary>
    public string SignatureText { get; init; } = Signature.ToString();

    public TelemetryEvent Event => Record.Value;

    public string EventId => Record.Value.Event?.Id ?? string.Empty;

    public long Timestamp => Record.Value.Timestamp;

    /// <summary>
    /// The observation an event makes, or null for events that cannot touch a profile (anything but network
    /// connection starts, ends and DNS lookups, or events without a host or process).
    /// </summary>
    public static NetworkObservation? From(ConsumedRecord<TelemetryEvent> record) => TryFrom(record, out var observation) ? observation : null;

    /// <summary>As <see cref="From"/>, without boxing the value in a nullable.</summary>
    public static bool TryFrom(ConsumedRecord<TelemetryEvent> record, out NetworkObservation observation) =>
        TryFrom(record, EventUses.NetworkUse(record.Value), out observation);

    /// <summary>
    /// As <see cref="TryFrom(ConsumedRecord{TelemetryEvent}, out NetworkObservation)"/> for an event already sorted
    /// (<see cref="EventUses"/>): <paramref name="use"/> must be the record's own; a use that is no network observation
    /// makes none.
    /// </summary>
    public static bool TryFrom(ConsumedRecord<TelemetryEvent> record, EventUse use, out NetworkObservation observation)
    {
        observation = default;
        var e = record.Value;
        var observed = EventUses.Observed(use);
        var hostId = e.Host?.Id is { Length: > 0 } id ? id : record.Key;
        if (observed is null || string.IsNullOrEmpty(hostId) || ProcessImageResolver.Resolve(e.Process) is not { } image)
        {
            return false;
        }

        var network = e.Network ?? new Network();
        var ingress = network.Direction == "ingress";

        // ECS puts the server on the destination side either way; on ingress the host is that server, so what it
        // sent is destination.bytes and its peer is the source.
        var signature = ProtocolSignature.Of(network.Transport, network.Protocol, e.Destination?.Port ?? 0);
        var peer = ingress ? e.Source : e.Destination;
        var destination = peer is null ? string.Empty : Peers.GetOrAdd((peer.Domain.Length > 0 ? peer.Domain : peer.Ip, peer.Port), PeerText);
        var sent = (ingress ? e.Destination?.Bytes : e.Source?.Bytes) ?? 0;
        var received = (ingress ? e.Source?.Bytes : e.Destination?.Bytes) ?? 0;
        var hasVolume = observed == ObservationKind.Completion && (sent > 0 || received > 0);
        observation = new NetworkObservation(
            record,
            image,
            hostId,
            observed.Value,
            signature,
            destination,
            sent,
            received,
            hasVolume);
        return true;
    }

    private static string PeerText((string Host, long Port) peer) => string.Create(CultureInfo.InvariantCulture, $"{peer.Host}:{peer.Port}");
}
