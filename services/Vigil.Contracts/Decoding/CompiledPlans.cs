using Google.Protobuf;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// A selection's plans for <see cref="TelemetryEvent"/>, with what each thread's <see cref="ParseState"/> needs to pool
/// the messages the plans read (a creator and one reset per message type, compiled here once, not per thread).
/// </summary>
internal sealed class CompiledPlans(MessagePlan root, int cachedFields, IReadOnlyList<(Func<IMessage> Create, Action<IMessage> Reset)> pools)
{
    public MessagePlan Root { get; } = root;

    /// <summary>How many string caches the plans use (one per cached field).</summary>
    public int CachedFields { get; } = cachedFields;

    /// <summary>
    /// Each thread's string caches, shared by every parser of this selection on that thread: the consume loop's two
    /// decoder generations (one batch decoded while the other is handled) decode on the same thread and see the same
    /// values, so one set of caches serves both, at half the memory the core has to keep warm. Strings are immutable
    /// and a thread only ever uses its own caches, so sharing needs no locking.
    /// </summary>
    public ThreadLocal<Utf8Strings> Strings { get; } = new(() => new Utf8Strings(cachedFields));

    /// <summary>By <see cref="MessagePlan.Id"/>.</summary>
    public IReadOnlyList<(Func<IMessage> Create, Action<IMessage> Reset)> Pools { get; } = pools;

    public static CompiledPlans Build(FieldSelection selection)
    {
        var builder = new PlanBuilder();
        var root = builder.Build(TelemetryEvent.Descriptor, selection.Tree);
        return new CompiledPlans(
            root,
            builder.CachedFields,
            [.. builder.Plans.Select(p => (PlanBuilder.Creator(p.Descriptor), PlanBuilder.Resetter(p.Descriptor, p.ReadFields)))]);
    }
}
