namespace Vigil.Messaging.Kafka;

/// <summary>
/// A record value as the consume loop's deserializer leaves it: the decoded message, or why it could not be
/// decoded together with a copy of the record's bytes (the only case that copies them out of librdkafka's buffer).
/// </summary>
internal readonly struct DecodedValue<T>
{
    private DecodedValue(T? value, RecordDecodeException? failure, Exception? unexpected, byte[]? rawKey, byte[]? rawValue)
    {
        Value = value;
        Failure = failure;
        Unexpected = unexpected;
        RawKey = rawKey;
        RawValue = rawValue;
    }

    public T? Value { get; }

    /// <summary>Why the decoder refused the value; the record goes to the dead-letter topic or is counted and skipped.</summary>
    public RecordDecodeException? Failure { get; }

    /// <summary>A decoder failure that is not a verdict on the record (a bug): the loop rethrows it and stops.</summary>
    public Exception? Unexpected { get; }

    /// <summary>The record's key bytes, kept only for an undecodable record (null for a null key).</summary>
    public byte[]? RawKey { get; }

    /// <summary>The record's value bytes, kept only for an undecodable record.</summary>
    public byte[]? RawValue { get; }

    public static DecodedValue<T> Decoded(T value) => new(value, null, null, null, null);

    public static DecodedValue<T> Refused(RecordDecodeException failure, byte[]? rawKey, byte[] rawValue) => new(default, failure, null, rawKey, rawValue);

    public static DecodedValue<T> Crashed(Exception unexpected) => new(default, null, unexpected, null, null);
}
