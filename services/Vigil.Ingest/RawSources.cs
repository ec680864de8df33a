using Vigil.Adapters;
using Vigil.Messaging;

namespace Vigil.Ingest;

/// <summary>The raw topics of the ingest consumer group and the adapter each is read through, resolved once at start-up.</summary>
internal sealed class RawSources
{
    private readonly Dictionary<string, RawSource> byTopic;

    public RawSources(TopicManifest manifest)
    {
        var group = manifest.ConsumerGroup(IngestServiceCollectionExtensions.Service);
        byTopic = new Dictionary<string, RawSource>(StringComparer.Ordinal);
        foreach (var topic in group.Topics)
        {
            var declared = manifest.Topics.Single(t => t.Name == topic);
            if (declared.Role != TopicRole.Raw || declared.Format is null)
            {
                throw new InvalidOperationException($"The ingest group '{group.Name}' reads '{topic}', which is not a raw topic with a format.");
            }

            if (!AdapterCatalog.IsKnown(declared.Format))
            {
                throw new InvalidOperationException(
                    $"Raw topic '{topic}' has format '{declared.Format}', which has no adapter; known formats: {string.Join(", ", AdapterCatalog.Formats)}.");
            }

            byTopic[topic] = new RawSource(topic, declared.Format, AdapterCatalog.Create(declared.Format));
        }

        if (byTopic.Count == 0)
        {
            throw new InvalidOperationException($"The ingest group '{group.Name}' reads no raw topics; declare them in the topic manifest.");
        }

        TelemetryTopic = manifest.Topic(TopicRole.Telemetry).Name;
    }

    public IEnumerable<RawSource> All => byTopic.Values;

    public string TelemetryTopic { get; }

    public RawSource For(string topic) => byTopic[topic];
}
