namespace Vigil.Eql.Syntax;

/// <summary>The math operators + - * / %.</summary>
public enum ArithmeticOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}
