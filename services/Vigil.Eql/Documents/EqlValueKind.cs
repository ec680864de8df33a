namespace Vigil.Eql.Documents;

/// <summary>What an <see cref="EqlValue"/> holds.</summary>
public enum EqlValueKind : byte
{
    Null = 0,
    Boolean,
    Integer,
    Float,
    String,

    /// <summary>Several strings (a repeated field such as event.category or process.args).</summary>
    StringList,

    /// <summary>Several values of any kind (a JSON array).</summary>
    ValueList,
}
