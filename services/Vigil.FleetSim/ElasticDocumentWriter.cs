using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Contracts;
using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim;

/// <summary>
/// Writes a simulated event as Elastic Agent's Kafka output would for Elastic Defend on macOS: the ECS event fields
/// plus the Beats <c>@metadata</c> object, <c>ecs.version</c>, <c>elastic.agent.id</c>, <c>data_stream.*</c> and the endpoint's dataset names,
/// so the simulator's telemetry takes the same path as a real fleet's (raw topic → vigil-ingest → telemetry topic).
/// </summary>
public static class ElasticDocumentWriter
{
    /// <summary>The Elastic Agent version the simulated fleet claims to run.</summary>
    public const string AgentVersion = "8.15.2";

    /// <summary>Appends one document (no newline) to <paramref name="buffer"/>.</summary>
    public static void Write(IBufferWriter<byte> buffer, TelemetryEvent simulated)
    {
        var e = simulated.Clone();
        var dataset = Dataset(e);
        e.Event ??= new Event();
        e.Event.Kind = e.Event.Kind.Length > 0 ? e.Event.Kind : "event";
        e.Event.Module = "endpoint";
        e.Event.Dataset = dataset;
        e.Agent ??= new Agent { Id = AgentId(e.Host?.Id ?? ""), Type = "endpoint", Version = AgentVersion };
        e.Ecs ??= new Ecs { Version = "8.10.0" };
        e.Elastic ??= new Elastic { Agent = new Agent { Id = e.Agent.Id } };
        e.DataStream ??= new DataStream { Type = "logs", Dataset = dataset, Namespace = "default" };

        using var writer = new Utf8JsonWriter(buffer, EcsJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartObject("@metadata");
        writer.WriteString("beat", "endpoint-security");
        writer.WriteString("type", "_doc");
        writer.WriteString("version", AgentVersion);
        writer.WriteString("raw_index", $"logs-{dataset}-default");
        writer.WriteEndObject();
        // The event's own fields follow as members of the same object: EcsJson writes an object, so its members are
        // copied in through a parsed view rather than nesting it.
        using var fields = JsonDocument.Parse(EcsJson.Format(e));
        foreach (var member in fields.RootElement.EnumerateObject())
        {
            member.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>One document as UTF-8 bytes.</summary>
    public static byte[] ToBytes(TelemetryEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(buffer, e);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The endpoint data stream the event lands in (logs-endpoint.events.&lt;x&gt;-*): the one the simulated event
    /// already names, since Elastic Defend files some kinds outside their category's stream (the macOS configuration
    /// changes tcc_modify, od_group_add and gatekeeper_override go to endpoint.events.security), else its category's.
    /// </summary>
    private static string Dataset(TelemetryEvent e) =>
        e.Event?.Dataset is { Length: > 0 } named && named.StartsWith("endpoint.events.", StringComparison.Ordinal)
            ? named
            : CategoryDataset(e.Event?.Category.FirstOrDefault());

    private static string CategoryDataset(string? category) => category switch
    {
        "process" => "endpoint.events.process",
        "file" => "endpoint.events.file",
        "network" => "endpoint.events.network",
        "library" => "endpoint.events.library",
        "authentication" or "session" or "configuration" => "endpoint.events.security",
        _ => "endpoint.events.api",
    };

    /// <summary>A stable UUID-shaped agent id per host, as Fleet enrols one agent per Mac.</summary>
    private static string AgentId(string hostId) => new Guid(MD5.HashData(Encoding.UTF8.GetBytes(hostId))).ToString();
}
