using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// A contract asserted against the broker a subclass picks: starts it when VIGIL_TEST_KAFKA selects it,
/// stops it after the class, and skips each test with the reason otherwise.
/// </summary>
public abstract class BrokerContract(KafkaBrokerKind kind) : IAsyncLifetime
{
    private IKafkaBroker? broker;

    /// <summary>The started broker; calling this first skips the test when the broker is not selected or not available.</summary>
    protected IKafkaBroker Broker
    {
        get
        {
            Assert.SkipWhen(KafkaBrokerSelection.SkipReason(kind) is not null, KafkaBrokerSelection.SkipReason(kind) ?? string.Empty);
            return broker ?? throw new InvalidOperationException("Broker not started.");
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (KafkaBrokerSelection.SkipReason(kind) is null)
        {
            broker = await KafkaBrokerSelection.StartAsync(kind);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (broker is not null)
        {
            await broker.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
