namespace Vigil.Eql.Indexing;

/// <summary>
/// A conjunction of <see cref="ValueRequirement{TEvent}"/>s, one per field at most, that every event satisfying a
/// condition meets. An empty requirement says nothing (every event may satisfy the condition). Built conservatively
/// from the evaluation tree: a node whose meaning cannot be reduced to field values (not, functions, comparisons of
/// numbers, regular expressions, suffix and infix wildcards) requires nothing.
/// </summary>
internal sealed class Requirement<TEvent>
{
    public static Requirement<TEvent> None { get; } = new(new Dictionary<string, ValueRequirement<TEvent>>(StringComparer.Ordinal));

    private Requirement(Dictionary<string, ValueRequirement<TEvent>> fields) => Fields = fields;

    public IReadOnlyDictionary<string, ValueRequirement<TEvent>> Fields { get; }

    public bool IsNone => Fields.Count == 0;

    public static Requirement<TEvent> Of(ValueRequirement<TEvent> field) =>
        new(new Dictionary<string, ValueRequirement<TEvent>>(StringComparer.Ordinal) { [field.Path] = field });

    /// <summary>Both hold: every field either side constrains stays constrained (the narrower one where both do).</summary>
    public Requirement<TEvent> And(Requirement<TEvent> other)
    {
        if (IsNone)
        {
            return other;
        }

        if (other.IsNone)
        {
            return this;
        }

        var fields = new Dictionary<string, ValueRequirement<TEvent>>(Fields, StringComparer.Ordinal);
        foreach (var (path, requirement) in other.Fields)
        {
            // Both are necessary; keeping either is sound, the narrower one lets fewer events through.
            if (!fields.TryGetValue(path, out var mine) || requirement.Width < mine.Width)
            {
                fields[path] = requirement;
            }
        }

        return new Requirement<TEvent>(fields);
    }

    /// <summary>Either holds: only fields both sides constrain stay constrained, by the union of what each allows.</summary>
    public Requirement<TEvent> Or(Requirement<TEvent> other)
    {
        var fields = new Dictionary<string, ValueRequirement<TEvent>>(StringComparer.Ordinal);
        foreach (var (path, requirement) in Fields)
        {
            if (other.Fields.TryGetValue(path, out var theirs))
            {
                fields[path] = requirement.Or(theirs);
            }
        }

        return fields.Count == 0 ? None : new Requirement<TEvent>(fields);
    }

    /// <summary>The reference semantics: every constrained field is met.</summary>
    public bool IsMetBy(TEvent document)
    {
        foreach (var requirement in Fields.Values)
        {
            if (!requirement.IsMetBy(document))
            {
                return false;
            }
        }

        return true;
    }
}
