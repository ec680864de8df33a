namespace Vigil.Contracts.Decoding;

/// <summary>
/// Thrown inside a selective parse when the payload is malformed or uses wire format the selective parser leaves to the
/// generated one; never escapes <see cref="SelectiveParser{T}"/>. One instance: abandoning allocates nothing.
/// </summary>
internal sealed class SelectiveParseAbandoned : Exception
{
    public static readonly SelectiveParseAbandoned Instance = new();

    private SelectiveParseAbandoned()
        : base("The selective parse was abandoned; the payload is parsed whole.")
    {
    }
}
