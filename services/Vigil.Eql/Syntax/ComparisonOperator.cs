namespace Vigil.Eql.Syntax;

/// <summary>The case-sensitive comparison operators == != &lt; &lt;= &gt; &gt;=.</summary>
public enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}
