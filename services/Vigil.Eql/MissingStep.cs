namespace Vigil.Eql;

/// <summary>
/// A missing-event step (<c>![ ... ]</c>) of a compiled sequence: its condition (<paramref name="Definition"/>, an index
/// into the query's distinct steps) and where it stands, as the number of positive stages written before it (0: at the
/// start; the stage count: at the end).
/// </summary>
internal readonly record struct MissingStep(int Definition, int Before);
