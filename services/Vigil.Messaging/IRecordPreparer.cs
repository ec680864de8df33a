namespace Vigil.Messaging;

/// <summary>
/// A batch handler's per-record work that reads only the record's value, which the consume loop does on its own thread
/// right after decoding the record, and keeps on the record (<see cref="ConsumedRecord{T}.Preparation"/>) for the
/// handler. Right after decoding, the value's fields are in the consume thread's cache; a batch later, on the handler's
/// thread, the first read of each is a wait for memory (a batch of a few thousand decoded events is larger than a core's
/// cache). What the handler does with a record is unchanged: a record the preparer left unprepared (0) is worked out by
/// the handler itself.
/// </summary>
public interface IRecordPreparer<in T>
{
    /// <summary>
    /// What the handler needs of <paramref name="value"/>, packed in 64 bits, or 0 for "not prepared". Runs on the consume
    /// thread while the handler works on an earlier batch: it may read what both share, never change it. A preparer that
    /// throws leaves the record unprepared, and the handler meets the failure where a batch's failures are handled.
    /// </summary>
    ulong Prepare(T value);
}
