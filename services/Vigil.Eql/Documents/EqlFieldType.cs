namespace Vigil.Eql.Documents;

/// <summary>The value type of a field in the event schema, used to reject ill-typed comparisons at compile time.</summary>
public enum EqlFieldType
{
    String,
    Integer,
    Float,
    Boolean,

    /// <summary>Nanoseconds since the Unix epoch (an integer to EQL; JSON documents may spell it as an ISO-8601 string).</summary>
    Time,
}
