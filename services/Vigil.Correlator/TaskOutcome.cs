namespace Vigil.Correlator;

/// <summary>Waiting on a task whose failure is reported elsewhere.</summary>
internal static class TaskOutcome
{
    /// <summary>
    /// Completes when <paramref name="task"/> does, whatever its outcome, and observes its exception (its owner reports
    /// it; here it must not surface again as an unobserved task exception).
    /// </summary>
    public static Task Settled(this Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
