namespace Vigil.Eql.Evaluation;

/// <summary>What an expression yields, as far as the compiler can tell; <see cref="Any"/> when it cannot (an optional unknown field).</summary>
internal enum StaticType
{
    Any,
    Null,
    Boolean,
    String,
    Number,
}
