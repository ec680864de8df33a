namespace Vigil.Messaging;

/// <summary>
/// A batch-scoped decoder that can make a sibling: a decoder of the same records whose reused memory is its own, so
/// the consume loop can decode the next batch with one while the handler still reads the previous batch's values,
/// decoded by the other (each is released only once its own batch was handled).
/// </summary>
public interface IBatchScopedDecoder<T> : IBatchScopedDecoder, IRecordDecoder<T>
{
    IRecordDecoder<T> CreateSibling();
}
