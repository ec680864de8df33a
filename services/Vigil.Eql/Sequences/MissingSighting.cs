namespace Vigil.Eql.Sequences;

/// <summary>
/// An event that satisfied a missing-event step (<paramref name="Definition"/>) at the start or in the middle of a
/// sequence, kept (without its document) for one span so that a sequence completing later can check it was absent.
/// </summary>
internal readonly record struct MissingSighting(int Definition, JoinKey Key, EventPosition Position);
