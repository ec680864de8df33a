using System.Globalization;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Record size limits, read from the topic manifest's <c>max.message.bytes</c> so the topics (provisioned
/// from the same file) and the producer (<c>message.max.bytes</c>) never disagree about what fits.
/// </summary>
public static class MessageSizeLimit
{
    /// <summary>librdkafka's default message.max.bytes, used for topics that declare no limit.</summary>
    public const int Default = 1_000_000;

    /// <summary>Topic configuration key of the per-record limit (Kafka's own name).</summary>
    public const string TopicConfigKey = "max.message.bytes";

    /// <summary>The largest record <paramref name="topic"/> accepts.</summary>
    public static int ForTopic(TopicDeclaration topic) =>
        topic.Config.TryGetValue(TopicConfigKey, out var value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? bytes
            : Default;

    /// <summary>The producer's limit: the largest any declared topic accepts (the broker enforces each topic's own).</summary>
    public static int ForProducer(TopicManifest? manifest) =>
        manifest is null || manifest.Topics.Count == 0 ? Default : manifest.Topics.Max(ForTopic);
}
