namespace Vigil.Eql.Syntax;

/// <summary>
/// One bracketed step of a sequence (or its until clause): the filter, the step's own join keys
/// (joined positionally with the other steps' keys) and <c>with runs=N</c>.
/// </summary>
public sealed record SequenceStep(SourceLocation Location, EventFilter Filter, IReadOnlyList<FieldExpression> Keys, int Runs);
