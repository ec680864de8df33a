using Vigil.Eql.Documents;
using Vigil.Eql.Evaluation;
using Vigil.Eql.Syntax;

namespace Vigil.Eql;

/// <summary>Compiles EQL against an event schema; throws <see cref="EqlException"/> listing every problem found.</summary>
public static class EqlCompiler
{
    // Distinct steps are tracked as bits of one ulong per buffered event.
    private const int MaxDistinctSteps = 64;

    public static CompiledQuery<TEvent> Compile<TEvent>(string text, IEventSchema<TEvent> schema) => Compile(EqlSource.Inline(text), schema);

    public static CompiledQuery<TEvent> Compile<TEvent>(EqlSource source, IEventSchema<TEvent> schema) => Compile(EqlParser.Parse(source), schema);

    public static CompiledQuery<TEvent> Compile<TEvent>(EqlQuery query, IEventSchema<TEvent> schema)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(schema);
        var binder = new QueryBinder<TEvent>(schema);
        var categories = binder.RequiredField("event.category");
        var fields = new StandardFields<TEvent>(
            binder.RequiredField("@timestamp"),
            binder.RequiredField("event.sequence"),
            binder.RequiredField("event.id"),
            binder.RequiredField("host.id"));

        CompiledQuery<TEvent> compiled;
        switch (query)
        {
            case EventQuery eventQuery:
            {
                var step = BindStep(binder, categories, eventQuery.Filter, [], eventQuery.Filter.Location);
                compiled = new CompiledQuery<TEvent>(query, [step], [0], null, [], fields);
                break;
            }

            case SequenceQuery sequence:
                compiled = CompileSequence(binder, categories, fields, sequence);
                break;
            default:
                throw new ArgumentException($"Unknown query kind {query.GetType().Name}.", nameof(query));
        }

        if (binder.Diagnostics.Count > 0)
        {
            throw new EqlException(binder.Diagnostics.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ToArray());
        }

        return compiled;
    }

    private static CompiledQuery<TEvent> CompileSequence<TEvent>(
        QueryBinder<TEvent> binder,
        FieldAccessor<TEvent> categories,
        StandardFields<TEvent> fields,
        SequenceQuery sequence)
    {
        if (sequence.Steps.Count > MaxDistinctSteps)
        {
            binder.Diagnostics.Add(new EqlDiagnostic(sequence.Steps[MaxDistinctSteps].Location, $"a sequence can have at most {MaxDistinctSteps} steps"));
        }

        // Per-step keys join positionally, so every step (and until) must name the same number of them.
        var keyCount = sequence.Steps[0].Keys.Count;
        foreach (var step in sequence.Steps.Skip(1).Append(sequence.Until).OfType<SequenceStep>())
        {
            if (step.Keys.Count != keyCount)
            {
                var which = step == sequence.Until ? "the until step" : "this step";
                binder.Diagnostics.Add(new EqlDiagnostic(step.Location,
                    $"every step needs the same number of join keys: the first step has {keyCount}, {which} has {step.Keys.Count}"));
            }
        }

        var definitions = sequence.Steps
            .Take(MaxDistinctSteps)
            .Select(step => BindStep(binder, categories, step.Filter, sequence.SharedKeys.Concat(step.Keys).ToArray(), step.Location))
            .ToArray();

        // "with runs=N" is the same step written N times (Elasticsearch documents it as that expansion).
        var stages = sequence.Steps
            .Take(MaxDistinctSteps)
            .SelectMany((step, index) => Enumerable.Repeat(index, step.Runs))
            .ToArray();
        var until = sequence.Until is { } u
            ? BindStep(binder, categories, u.Filter, sequence.SharedKeys.Concat(u.Keys).ToArray(), u.Location)
            : null;
        var keyNames = sequence.SharedKeys.Concat(sequence.Steps[0].Keys).Select(k => k.ToString()).ToArray();
        return new CompiledQuery<TEvent>(sequence, definitions, stages, until, keyNames, fields);
    }

    private static CompiledStep<TEvent> BindStep<TEvent>(
        QueryBinder<TEvent> binder,
        FieldAccessor<TEvent> categories,
        EventFilter filter,
        IReadOnlyList<FieldExpression> keys,
        SourceLocation location)
    {
        var condition = binder.BindCondition(filter.Condition);
        if (filter.Category is { } category)
        {
            condition = new AndNode<TEvent>(new CategoryNode<TEvent>(categories, category), condition);
        }

        var accessors = keys.Select(k => binder.BindKey(k) ?? (static _ => EqlValue.Null)).ToArray();
        return new CompiledStep<TEvent>(condition, accessors, keys.Select(k => k.Optional).ToArray(), location);
    }
}
