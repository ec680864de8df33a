using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Messaging;

/// <summary>
/// Vigil's topics and consumer groups, declared once in deploy/topics.json and read by every runner
/// (embedded dev broker, docker-compose topic job, Helm provisioning job) and every service.
/// </summary>
public sealed class TopicManifest
{
    /// <summary>File name of the manifest inside the deploy folder.</summary>
    public const string FileName = "topics.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(new KebabRoleNamingPolicy()) },
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public TopicManifest(IReadOnlyList<TopicDeclaration> topics, IReadOnlyList<ConsumerGroupDeclaration> consumerGroups)
    {
        Topics = topics;
        ConsumerGroups = consumerGroups;
        Validate();
    }

    public IReadOnlyList<TopicDeclaration> Topics { get; }

    public IReadOnlyList<ConsumerGroupDeclaration> ConsumerGroups { get; }

    /// <summary>Raw agent topics, each with the source format ingest reads it as.</summary>
    public IReadOnlyList<TopicDeclaration> RawTopics => Topics.Where(t => t.Role == TopicRole.Raw).ToArray();

    /// <summary>The topic declared for <paramref name="role"/> (one of the roles declared exactly once).</summary>
    public TopicDeclaration Topic(TopicRole role) =>
        Topics.SingleOrDefault(t => t.Role == role)
        ?? throw new InvalidOperationException($"The topic manifest declares no topic with role '{role}'.");

    /// <summary>The consumer group of <paramref name="service"/> (and <paramref name="analytic"/>, for services run once per analytic).</summary>
    public ConsumerGroupDeclaration ConsumerGroup(string service, string? analytic = null) =>
        ConsumerGroups.SingleOrDefault(g => g.Service == service && string.Equals(g.Analytic, analytic, StringComparison.Ordinal))
        ?? throw new InvalidOperationException(
            $"The topic manifest declares no consumer group for service '{service}'" + (analytic is null ? "." : $", analytic '{analytic}'."));

    public static TopicManifest Parse(string json, string source)
    {
        ManifestDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<ManifestDocument>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: {e.Message}", e);
        }

        if (document?.Topics is null || document.ConsumerGroups is null)
        {
            throw new InvalidDataException($"{source}: expected an object with 'topics' and 'consumerGroups'.");
        }

        return new TopicManifest(
            document.Topics.Select(t => t with { Config = t.Config ?? new Dictionary<string, string>() }).ToArray(),
            document.ConsumerGroups.Select(g => g with { Topics = g.Topics ?? [] }).ToArray());
    }

    public static TopicManifest Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>
    /// Finds deploy/topics.json: an explicit path (which must exist) wins, then VIGIL_TOPIC_MANIFEST, then the file copied
    /// next to the application, then the nearest deploy/ folder above the working directory.
    /// </summary>
    public static TopicManifest LoadDefault(string? explicitPath = null)
    {
        // A path someone named must exist: falling back to another manifest would run against the wrong topics.
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return File.Exists(explicitPath) ? Load(explicitPath) : throw new FileNotFoundException($"Topic manifest '{explicitPath}' does not exist.", explicitPath);
        }

        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable("VIGIL_TOPIC_MANIFEST"),
            Path.Combine(AppContext.BaseDirectory, "deploy", FileName),
        };
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "deploy", FileName));
        }

        var found = candidates.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
            ?? throw new FileNotFoundException(
                $"No topic manifest found (looked at: {string.Join(", ", candidates.Where(c => !string.IsNullOrEmpty(c)))}). Set VIGIL_TOPIC_MANIFEST.");
        return Load(found);
    }

    private void Validate()
    {
        // Raw topics are optional and may be many (one per agent format); every other role is declared exactly once.
        foreach (var role in Enum.GetValues<TopicRole>().Where(r => r != TopicRole.Raw))
        {
            if (Topics.Count(t => t.Role == role) != 1)
            {
                throw new InvalidDataException($"The topic manifest must declare exactly one topic with role '{role}'.");
            }
        }

        foreach (var topic in Topics.Where(t => t.Partitions < 1 || t.ReplicationFactor < 1 || string.IsNullOrWhiteSpace(t.Name)))
        {
            throw new InvalidDataException($"Topic '{topic.Name}' needs a name, at least one partition and a replication factor of at least 1.");
        }

        foreach (var topic in Topics.Where(t => (t.Role == TopicRole.Raw) == string.IsNullOrWhiteSpace(t.Format)))
        {
            throw new InvalidDataException(topic.Role == TopicRole.Raw
                ? $"Raw topic '{topic.Name}' needs a 'format' (the source format ingest reads it as, e.g. elastic or eslogger)."
                : $"Topic '{topic.Name}' has a 'format', but only raw topics are read through a source format.");
        }

        var duplicateTopic = Topics.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicateTopic is not null)
        {
            throw new InvalidDataException($"Topic '{duplicateTopic.Key}' is declared twice.");
        }

        var names = Topics.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var group in ConsumerGroups)
        {
            var unknown = group.Topics.Where(t => !names.Contains(t)).ToArray();
            if (unknown.Length > 0)
            {
                throw new InvalidDataException($"Consumer group '{group.Name}' reads undeclared topics: {string.Join(", ", unknown)}.");
            }
        }

        var duplicate = ConsumerGroups.GroupBy(g => g.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"Consumer group '{duplicate.Key}' is declared twice.");
        }
    }

    private sealed record ManifestDocument(List<TopicDeclaration>? Topics, List<ConsumerGroupDeclaration>? ConsumerGroups);

    private sealed class KebabRoleNamingPolicy : JsonNamingPolicy
    {
        public override string ConvertName(string name) => KebabCaseLower.ConvertName(name);
    }
}
