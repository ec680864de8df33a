namespace Vigil.Detection;

/// <summary>Why an <see cref="AlertOutbox"/> did not publish a candidate alert (one spelling per reason, also the metric label).</summary>
public enum AlertDrop
{
    /// <summary>Its id was already published: a replay re-derived it, or it repeats within the batch.</summary>
    Duplicate,

    /// <summary>It falls inside an open alert suppression window of its rule and group, or one the batch opened.</summary>
    Suppressed,

    /// <summary>Its rule's max_signals for the interval was spent.</summary>
    MaxSignals,
}
