namespace Vigil.Eql.Syntax;

/// <summary>The binary logical operators.</summary>
public enum LogicalOperator
{
    And,
    Or,
}
