using System.Text.RegularExpressions;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Rejects Kafka settings that cannot work, naming the key (Kafka:SecurityProtocol...), at start-up: the client
/// configuration parses these strings later, where a typo would surface as a stack trace from a consume loop.
/// </summary>
internal sealed partial class KafkaOptionsValidation : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        var errors = new List<string>();
        void Require(bool ok, string key, string problem)
        {
            if (!ok)
            {
                errors.Add($"{KafkaOptions.Section}:{key} {problem}");
            }
        }

        Require(!string.IsNullOrWhiteSpace(options.BootstrapServers), nameof(options.BootstrapServers), "is required (host:port, comma-separated).");
        Require(
            Enum.TryParse<SecurityProtocol>(options.SecurityProtocol.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out _),
            nameof(options.SecurityProtocol), $"must be plaintext, ssl, sasl_plaintext or sasl_ssl, not '{options.SecurityProtocol}'.");
        Require(
            string.IsNullOrWhiteSpace(options.SaslMechanism)
            || Enum.TryParse<SaslMechanism>(options.SaslMechanism.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out _),
            nameof(options.SaslMechanism), $"must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER, not '{options.SaslMechanism}'.");
        Require(string.IsNullOrWhiteSpace(options.SaslPasswordFile) || File.Exists(options.SaslPasswordFile), nameof(options.SaslPasswordFile), $"names a file that does not exist: {options.SaslPasswordFile}.");
        Require(Enum.TryParse<CompressionType>(options.Producer.Compression, ignoreCase: true, out _), "Producer:Compression", $"must be none, gzip, snappy, lz4 or zstd, not '{options.Producer.Compression}'.");
        Require(options.Producer.LingerMs >= 0, "Producer:LingerMs", "must not be negative.");
        Require(Enum.TryParse<AutoOffsetReset>(options.Consumer.AutoOffsetReset, ignoreCase: true, out _), "Consumer:AutoOffsetReset", $"must be earliest or latest, not '{options.Consumer.AutoOffsetReset}'.");
        Require(
            options.Consumer.GroupProtocol.Equals("classic", StringComparison.OrdinalIgnoreCase) || options.Consumer.GroupProtocol.Equals("consumer", StringComparison.OrdinalIgnoreCase),
            "Consumer:GroupProtocol", $"must be classic or consumer, not '{options.Consumer.GroupProtocol}'.");
        Require(options.Consumer.MaxBatchSize >= 1, "Consumer:MaxBatchSize", "must be at least 1.");
        Require(options.Consumer.MaxBacklogBatchSize is null || options.Consumer.MaxBacklogBatchSize >= options.Consumer.MaxBatchSize, "Consumer:MaxBacklogBatchSize", "must be at least Consumer:MaxBatchSize.");
        Require(options.Consumer.MaxBatchWait > TimeSpan.Zero, "Consumer:MaxBatchWait", "must be positive.");
        RequireProperties(options.Properties, "Properties", EveryClientReserved);
        RequireProperties(options.Consumer.Properties, "Consumer:Properties", KafkaConsumerSettings.Reserved);
        RequireProperties(options.Producer.Properties, "Producer:Properties", KafkaProducerSettings.Reserved);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        // librdkafka property names are lower case words joined by dots. An empty value is refused here: librdkafka
        // rejects it for typed properties only when the client is built, and omitting the key keeps its default.
        void RequireProperties(Dictionary<string, string> properties, string section, IReadOnlySet<string> reserved)
        {
            foreach (var (key, value) in properties)
            {
                Require(PropertyName().IsMatch(key), $"{section}:{key}", "is not a librdkafka property name (lower-case words joined by dots, e.g. fetch.wait.max.ms).");
                Require(!reserved.Contains(key), $"{section}:{key}", "is decided by Vigil (at-least-once offsets, static membership, acknowledged idempotent delivery) and cannot be set.");
                Require(!string.IsNullOrWhiteSpace(value), $"{section}:{key}", "has no value (remove the key to keep librdkafka's default).");
            }
        }
    }

    /// <summary>Kafka:Properties reaches consumers and producers alike, so neither kind's protected properties may be set there.</summary>
    private static readonly IReadOnlySet<string> EveryClientReserved = KafkaConsumerSettings.Reserved.Union(KafkaProducerSettings.Reserved).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex("^[a-z0-9]+(?:[._][a-z0-9]+)*$")]
    private static partial Regex PropertyName();
}
