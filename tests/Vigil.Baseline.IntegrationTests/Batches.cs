using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>What the handler tests feed the baseline: tools of one image each, and events as one partition's records.</summary>
internal static class Batches
{
    /// <summary><paramref name="count"/> processes, each its own image (/opt/<paramref name="name"/>/bin/tool<c>i</c>).</summary>
    public static List<Process> Tools(string name, int count) => Enumerable.Range(0, count)
        .Select(i => new Process { EntityId = $"{name}-{i}", Name = $"{name}{i}", Executable = $"/opt/{name}/bin/tool{i}" })
        .ToList();

    /// <summary>One connection of each tool from each host, at <see cref="BaselineTelemetry.Start"/>, tool by tool.</summary>
    public static IEnumerable<TelemetryEvent> Connections(IReadOnlyList<BaselineTelemetry> hosts, IEnumerable<Process> tools) =>
        tools.SelectMany(tool => hosts.Select(host => host.Connect(tool, BaselineTelemetry.Start)));

    /// <summary>The events as consecutive records of partition 0 of <paramref name="topic"/>, from <paramref name="offset"/>.</summary>
    public static List<ConsumedRecord<TelemetryEvent>> Records(string topic, IEnumerable<TelemetryEvent> events, long offset = 0) => events
        .Select((e, i) => new ConsumedRecord<TelemetryEvent>(topic, 0, offset + i, e.Host.Id, DateTimeOffset.UnixEpoch, e))
        .ToList();
}
