namespace Vigil.Messaging;

/// <summary>
/// A decoder whose decoded values may use memory it reuses (e.g. kept payloads of selectively decoded events): the
/// consume loop calls <see cref="ReleaseBatch"/> on its own thread once a batch was handled (or given up), after which
/// the decoder may reuse that batch's values. A handler takes what it keeps out of reuse (e.g. TelemetryEvent.Complete
/// or TelemetryEvent.Detach) before it returns, and keeps nothing else of the batch.
/// </summary>
public interface IBatchScopedDecoder
{
    void ReleaseBatch();
}
