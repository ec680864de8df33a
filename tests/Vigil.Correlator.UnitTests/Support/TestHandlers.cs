using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Contracts.Alerts;
using Vigil.Detection;
using Vigil.Messaging;

namespace Vigil.Correlator.UnitTests.Support;

/// <summary>Correlation handlers wired as the service wires them, over a test's store, alert topic, memory and clock.</summary>
internal static class TestHandlers
{
    /// <summary>A handler and its engine (to look at what it holds); <paramref name="source"/> names the alerts' producer.</summary>
    public static (CorrelationHandler Handler, CorrelationEngine Engine) New(
        AnalyticPack pack,
        ICorrelationStateStore store,
        ITopicPublisher<Alert> topic,
        RememberingMemory memory,
        TimeProvider clock,
        CorrelatorMetrics metrics,
        string source)
    {
        var engine = new CorrelationEngine(pack, clock, metrics);
        var handler = new CorrelationHandler(
            pack,
            new EventRouter(pack, metrics),
            engine,
            new OwnedStates(store, clock),
            new AlertOutbox(topic, log: null, memory),
            memory,
            // The test packs have no threshold or new_terms rule: the aggregation store is never called.
            aggregations: null!,
            new AlertFactory(clock, source),
            clock,
            metrics,
            NullLogger<CorrelationHandler>.Instance);
        return (handler, engine);
    }
}
