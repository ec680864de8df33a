using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>The restart-resume contract against the embedded dev cluster.</summary>
public sealed class RestartResumeOnEmbeddedBroker() : RestartResumeContract(KafkaBrokerKind.Embedded);
