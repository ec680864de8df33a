namespace Vigil.Eql.Syntax;

/// <summary>
/// One bracketed step of a sequence (or its until clause, or a filter of a sample): the filter, the step's own join keys
/// (joined positionally with the other steps' keys), <c>with runs=N</c>, and whether it is a missing-event step
/// (<c>![ ... ]</c>: the sequence matches only if no such event occurs where the step stands).
/// </summary>
public sealed record SequenceStep(SourceLocation Location, EventFilter Filter, IReadOnlyList<FieldExpression> Keys, int Runs, bool Missing = false);
