using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Contracts;
using Vigil.Contracts.Telemetry;

namespace Vigil.Adapters;

/// <summary>
/// Elastic Defend / Elastic Endpoint ECS JSON (7.x and 8.x) to the canonical <see cref="TelemetryEvent"/>: one event per
/// Kafka message as Elastic Agent's Kafka output writes it, bare <c>_source</c> lines and hit lines of an Elasticsearch
/// export, and whole search responses. Field reading (dotted or nested keys, numbers as text and back, scalar or array)
/// is <see cref="EcsJson"/>'s; this class adds what is Elastic-specific: the record shapes, <c>@metadata</c>, the 7.x
/// fall-backs (<c>host.id</c> from <c>agent.id</c>, <c>host.os.type</c> from family or platform) and the minimum an
/// event needs to be correlated (time, host, category).
/// </summary>
public sealed class ElasticAdapter : ITelemetryAdapter
{
    public const string FormatName = "elastic";

    /// <summary>Beats' transport metadata (beat, type, version, raw_index...): not event data, so neither kept nor counted.</summary>
    private const string TransportMetadata = "@metadata";

    private readonly EcsReadReport report = new();

    public string Format => FormatName;

    public AdaptResult Adapt(RawRecord record)
    {
        var result = new AdaptResult();
        var documents = ElasticDocuments.Read(record.Value, out var owners);
        try
        {
            for (var index = 0; index < documents.Count; index++)
            {
                var document = documents[index];
                if (document.Rejection is { } rejection)
                {
                    result.Rejections.Add(rejection);
                    continue;
                }

                var (e, problem) = Map(document.Source, document.HitId, index, result);
                if (problem is not null)
                {
                    result.Rejections.Add(problem with { Document = Encoding.UTF8.GetBytes(document.Source.GetRawText()) });
                }
                else
                {
                    result.Events.Add(e!);
                }
            }
        }
        finally
        {
            foreach (var owner in owners)
            {
                owner.Dispose();
            }
        }

        return result;
    }

    private (TelemetryEvent? Event, AdaptRejection? Problem) Map(JsonElement source, string? hitId, int index, AdaptResult result)
    {
        report.Clear();
        var e = EcsJson.Parse<TelemetryEvent>(source, report);
        foreach (var key in e.Unmapped.Keys.Where(IsTransportMetadata).ToList())
        {
            e.Unmapped.Remove(key);
        }

        if (e.Timestamp == 0)
        {
            var why = report.Problems.FirstOrDefault(p => EcsFieldTally.FieldOf(p.Path) == "@timestamp")?.ToString() ?? "$.@timestamp: missing";
            return (null, new AdaptRejection(RejectionReason.MissingTimestamp, why + "; every event needs a time", index));
        }

        foreach (var name in report.Unmapped.Where(n => !IsTransportMetadata(n)))
        {
            result.CountUnmapped(name);
        }

        foreach (var name in report.Overflow.Where(n => !IsTransportMetadata(n)))
        {
            result.CountDropped(name);
        }

        foreach (var problem in report.Problems)
        {
            result.CountInvalid(EcsFieldTally.FieldOf(problem.Path));
        }

        e.Host ??= new Host();
        if (e.Host.Id.Length == 0 && e.Agent is { Id.Length: > 0 } agent)
        {
            // Elastic Endpoint 7.x documents carry agent.id but no host.id; one agent runs per host, so it identifies it.
            e.Host.Id = agent.Id;
            result.CountDerived("host.id from agent.id");
        }

        if (e.Host.Id.Length == 0)
        {
            return (null, new AdaptRejection(RejectionReason.MissingHost, "$.host.id: missing, and no agent.id to take it from", index));
        }

        if (e.Event is null || e.Event.Category.Count == 0)
        {
            return (null, new AdaptRejection(RejectionReason.MissingCategory, "$.event.category: missing; rules select events by category", index));
        }

        if (e.Host.Os is { Type.Length: 0 } os)
        {
            // ECS added host.os.type in 1.8; older documents name the OS only in platform or family ("darwin", "macos").
            var (type, from) = ElasticOsType.From(os.Platform) is { } byPlatform ? (byPlatform, "platform") : (ElasticOsType.From(os.Family), "family");
            if (type is not null)
            {
                os.Type = type;
                result.CountDerived($"host.os.type from host.os.{from}");
            }
        }

        if (e.Event.Id.Length == 0)
        {
            // Alert ids and evidence refer to event.id: take the export's document id, or a digest of the document so a
            // replay of the same document gets the same id.
            e.Event.Id = hitId ?? Digest(source);
            result.CountDerived(hitId is null ? "event.id from document digest" : "event.id from _id");
        }

        return (e, null);
    }

    private static bool IsTransportMetadata(string name) =>
        name.StartsWith(TransportMetadata, StringComparison.Ordinal) && (name.Length == TransportMetadata.Length || name[TransportMetadata.Length] == '.');

    private static string Digest(JsonElement source)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(source.GetRawText()), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
