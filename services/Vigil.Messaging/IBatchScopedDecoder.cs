namespace Vigil.Messaging;

/// <summary>
/// A decoder whose decoded values may use memory it reuses (e.g. kept payloads of selectively decoded events): the
/// consume loop calls <see cref="ReleaseBatch"/> on its own thread once a batch was handled (or given up), after which
/// the values of that batch must not be completed any more. A handler completes what it keeps before it returns.
/// </summary>
public interface IBatchScopedDecoder
{
    void ReleaseBatch();
}
