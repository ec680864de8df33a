using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Creates planned topics on a real cluster through the admin API, with the configured SASL/TLS settings.
/// Built for one-shot provisioning jobs that may start before the brokers do: it waits (bounded) until the
/// cluster answers, retries errors a starting cluster gives, and treats a topic that already exists as
/// success while reporting a partition count that differs from the plan.
/// </summary>
public sealed class TopicProvisioner(KafkaClientConfigFactory configs, ILogger<TopicProvisioner> logger)
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // Errors that no amount of waiting fixes: wrong credentials, missing ACLs, a config or name the
    // cluster rejects. Everything else (no broker yet, no controller yet, too few brokers registered yet
    // for the replication factor) is what a starting cluster answers, so it is retried until the deadline.
    private static readonly HashSet<ErrorCode> Permanent =
    [
        ErrorCode.TopicAuthorizationFailed,
        ErrorCode.ClusterAuthorizationFailed,
        ErrorCode.SaslAuthenticationFailed,
        ErrorCode.Local_Authentication,
        ErrorCode.Local_Ssl,
        ErrorCode.InvalidConfig,
        ErrorCode.PolicyViolation,
        ErrorCode.TopicException,
        ErrorCode.InvalidPartitions,
        ErrorCode.InvalidRequest,
        ErrorCode.UnsupportedVersion,
        ErrorCode.Local_InvalidArg,
        ErrorCode.Local_UnsupportedFeature,
    ];

    /// <summary>
    /// Creates every topic of <paramref name="plans"/> that does not exist yet; gives up on what is not done
    /// when <paramref name="deadline"/> has passed (counted from the call) and reports it as failed.
    /// </summary>
    public async Task<IReadOnlyList<TopicOutcome>> ApplyAsync(IReadOnlyList<TopicPlan> plans, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var bootstrap = configs.Options.BootstrapServers;
        var giveUpAt = DateTimeOffset.UtcNow + deadline;
        Error? clientError = null;
        using var admin = new AdminClientBuilder(configs.Admin())
            // Connection refusals are expected while a cluster starts; they are summarized per attempt instead.
            .SetLogHandler((_, m) => logger.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .SetErrorHandler((_, e) => clientError = e)
            .Build();

        var reached = await WaitForClusterAsync(admin, bootstrap, giveUpAt, () => clientError, cancellationToken).ConfigureAwait(false);
        if (reached is not null)
        {
            return plans.Select(p => new TopicOutcome(p, TopicOutcomeKind.Failed, Error: reached)).ToArray();
        }

        var outcomes = new Dictionary<string, TopicOutcome>(StringComparer.Ordinal);
        var pending = plans.ToList();
        var backoff = FirstBackoff;
        while (true)
        {
            var retry = await CreateAsync(admin, pending, outcomes).ConfigureAwait(false);
            pending = pending.Where(p => retry.ContainsKey(p.Name)).ToList();
            if (pending.Count == 0)
            {
                break;
            }

            if (DateTimeOffset.UtcNow + backoff >= giveUpAt)
            {
                foreach (var plan in pending)
                {
                    outcomes[plan.Name] = new TopicOutcome(plan, TopicOutcomeKind.Failed, Error: $"still failing when the deadline passed: {retry[plan.Name]}");
                }

                break;
            }

            logger.LogInformation("Retrying {Count} topic(s) in {Backoff}: {Errors}", pending.Count, backoff, string.Join("; ", retry.Values.Distinct()));
            await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            backoff = Next(backoff);
        }

        return plans.Select(p => Compare(admin, outcomes[p.Name])).ToArray();
    }

    /// <summary>
    /// Checks <paramref name="plans"/> against a cluster that cannot create topics over the admin API (librdkafka's
    /// mock cluster, the embedded dev broker, answers CreateTopics with nothing, so creating would only wait out the
    /// deadline): each topic exists as planned, exists with another partition count, or is missing. Changes nothing.
    /// </summary>
    public async Task<IReadOnlyList<TopicOutcome>> InspectAsync(IReadOnlyList<TopicPlan> plans, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var giveUpAt = DateTimeOffset.UtcNow + deadline;
        Error? clientError = null;
        using var admin = new AdminClientBuilder(configs.Admin())
            .SetLogHandler((_, m) => logger.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .SetErrorHandler((_, e) => clientError = e)
            .Build();
        var reached = await WaitForClusterAsync(admin, configs.Options.BootstrapServers, giveUpAt, () => clientError, cancellationToken).ConfigureAwait(false);
        if (reached is not null)
        {
            return plans.Select(p => new TopicOutcome(p, TopicOutcomeKind.Failed, Error: reached)).ToArray();
        }

        // One request for every topic: asking the mock about a topic by name creates it (auto-create, 4 partitions).
        Metadata metadata;
        try
        {
            metadata = admin.GetMetadata(AttemptTimeout);
        }
        catch (KafkaException e)
        {
            return plans.Select(p => new TopicOutcome(p, TopicOutcomeKind.Failed, Error: $"the topics could not be listed: {e.Error.Reason}")).ToArray();
        }

        var topics = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).ToDictionary(t => t.Topic, StringComparer.Ordinal);
        return plans.Select(p => topics.TryGetValue(p.Name, out var topic)
            ? Existing(new TopicOutcome(p, TopicOutcomeKind.Existed), topic)
            : new TopicOutcome(p, TopicOutcomeKind.MissingOnEmbeddedBroker)).ToArray();
    }

    /// <summary>Null once the cluster answered a metadata request; otherwise why it did not before the deadline.</summary>
    private async Task<string?> WaitForClusterAsync(IAdminClient admin, string bootstrap, DateTimeOffset giveUpAt, Func<Error?> clientError, CancellationToken cancellationToken)
    {
        var backoff = FirstBackoff;
        while (true)
        {
            string problem;
            try
            {
                var metadata = admin.GetMetadata(Remaining(giveUpAt));
                logger.LogInformation("Kafka answered through {Broker}: {Brokers} broker(s) in the cluster", metadata.OriginatingBrokerName, metadata.Brokers.Count);
                return null;
            }
            catch (KafkaException e)
            {
                problem = clientError() is { } error ? $"{e.Error.Reason} (last client error: {error.Code}: {error.Reason})" : e.Error.Reason;
                if (Permanent.Contains(e.Error.Code) || clientError() is { } last && Permanent.Contains(last.Code))
                {
                    return $"Kafka at {bootstrap} refused the connection: {problem}";
                }
            }

            if (DateTimeOffset.UtcNow + backoff >= giveUpAt)
            {
                return $"Kafka at {bootstrap} did not answer before the deadline: {problem}";
            }

            logger.LogInformation("Waiting for Kafka at {Bootstrap}: {Problem}", bootstrap, problem);
            await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            backoff = Next(backoff);
        }
    }

    /// <summary>Creates <paramref name="plans"/>, records final outcomes, and returns the topics worth retrying with their errors.</summary>
    private async Task<Dictionary<string, string>> CreateAsync(IAdminClient admin, IReadOnlyList<TopicPlan> plans, Dictionary<string, TopicOutcome> outcomes)
    {
        var specifications = plans.Select(p => new TopicSpecification
        {
            Name = p.Name,
            NumPartitions = p.Partitions,
            ReplicationFactor = p.ReplicationFactor,
            Configs = p.Config.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal),
        }).ToList();
        var byName = plans.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var retry = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await admin.CreateTopicsAsync(specifications, new CreateTopicsOptions { RequestTimeout = AttemptTimeout, OperationTimeout = AttemptTimeout }).ConfigureAwait(false);
            foreach (var plan in plans)
            {
                outcomes[plan.Name] = new TopicOutcome(plan, TopicOutcomeKind.Created);
            }
        }
        catch (CreateTopicsException e)
        {
            foreach (var result in e.Results)
            {
                var plan = byName[result.Topic];
                if (result.Error.Code is ErrorCode.NoError)
                {
                    outcomes[plan.Name] = new TopicOutcome(plan, TopicOutcomeKind.Created);
                }
                else if (result.Error.Code is ErrorCode.TopicAlreadyExists)
                {
                    outcomes[plan.Name] = new TopicOutcome(plan, TopicOutcomeKind.Existed);
                }
                else if (Permanent.Contains(result.Error.Code))
                {
                    outcomes[plan.Name] = new TopicOutcome(plan, TopicOutcomeKind.Failed, Error: $"{result.Error.Code}: {result.Error.Reason}");
                }
                else
                {
                    retry[plan.Name] = $"{result.Error.Code}: {result.Error.Reason}";
                }
            }
        }
        catch (KafkaException e) when (!Permanent.Contains(e.Error.Code))
        {
            // The request as a whole failed (connection lost, request timed out): every topic is retried.
            foreach (var plan in plans)
            {
                retry[plan.Name] = $"{e.Error.Code}: {e.Error.Reason}";
            }
        }
        catch (KafkaException e)
        {
            foreach (var plan in plans)
            {
                outcomes[plan.Name] = new TopicOutcome(plan, TopicOutcomeKind.Failed, Error: $"{e.Error.Code}: {e.Error.Reason}");
            }
        }

        return retry;
    }

    /// <summary>For a topic that already existed: what the cluster holds, and whether its partition count differs from the plan.</summary>
    private TopicOutcome Compare(IAdminClient admin, TopicOutcome outcome)
    {
        if (outcome.Kind != TopicOutcomeKind.Existed)
        {
            return outcome;
        }

        try
        {
            var topic = admin.GetMetadata(outcome.Plan.Name, AttemptTimeout).Topics.Single(t => t.Topic == outcome.Plan.Name);
            if (topic.Error.Code != ErrorCode.NoError)
            {
                return outcome with { Kind = TopicOutcomeKind.Failed, Error = $"exists, but its metadata could not be read: {topic.Error.Code}: {topic.Error.Reason}" };
            }

            return Existing(outcome, topic);
        }
        catch (KafkaException e)
        {
            logger.LogWarning("Topic {Topic} exists, but its partitions could not be read: {Reason}", outcome.Plan.Name, e.Error.Reason);
            return outcome with { Kind = TopicOutcomeKind.Failed, Error = $"exists, but its metadata could not be read: {e.Error.Reason}" };
        }
    }

    private static TopicOutcome Existing(TopicOutcome outcome, TopicMetadata topic)
    {
        var partitions = topic.Partitions.Count;
        var replication = topic.Partitions.Count == 0 ? 0 : topic.Partitions.Max(p => p.Replicas.Length);
        return outcome with
        {
            Kind = partitions == outcome.Plan.Partitions ? TopicOutcomeKind.Existed : TopicOutcomeKind.PartitionMismatch,
            ActualPartitions = partitions,
            ActualReplicationFactor = replication,
        };
    }

    private static TimeSpan Remaining(DateTimeOffset giveUpAt)
    {
        var left = giveUpAt - DateTimeOffset.UtcNow;
        return left < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left < AttemptTimeout ? left : AttemptTimeout;
    }

    private static TimeSpan Next(TimeSpan backoff) => backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
}
