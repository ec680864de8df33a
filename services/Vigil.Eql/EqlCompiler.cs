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
        var categories = binder.RequiredField(CategoryNode<TEvent>.Path);
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
            case SampleQuery sample:
                compiled = CompileSample(binder, categories, fields, sample);
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

        // "with runs=N" is the same step written N times (Elasticsearch documents it as that expansion). Missing-event
        // steps are not stages of the state machine: each remembers how many positive stages precede it.
        var stages = new List<int>();
        var missing = new List<MissingStep>();
        foreach (var (step, index) in sequence.Steps.Take(MaxDistinctSteps).Select((step, index) => (step, index)))
        {
            if (step.Missing)
            {
                missing.AddRange(Enumerable.Repeat(new MissingStep(index, stages.Count), step.Runs));
            }
            else
            {
                stages.AddRange(Enumerable.Repeat(index, step.Runs));
            }
        }

        var until = sequence.Until is { } u
            ? BindStep(binder, categories, u.Filter, sequence.SharedKeys.Concat(u.Keys).ToArray(), u.Location)
            : null;
        var first = sequence.Steps.First(step => !step.Missing);
        var keyNames = sequence.SharedKeys.Concat(first.Keys).Select(k => k.ToString()).ToArray();
        var keysShared = sequence.Steps.All(step => step.Keys.Count == 0) && (sequence.Until?.Keys.Count ?? 0) == 0;
        return new CompiledQuery<TEvent>(sequence, definitions, stages.ToArray(), until, keyNames, fields, missing.Distinct().ToArray(), keysShared);
    }

    private static CompiledQuery<TEvent> CompileSample<TEvent>(
        QueryBinder<TEvent> binder,
        FieldAccessor<TEvent> categories,
        StandardFields<TEvent> fields,
        SampleQuery sample)
    {
        if (sample.Filters.Count > MaxDistinctSteps)
        {
            binder.Diagnostics.Add(new EqlDiagnostic(sample.Filters[MaxDistinctSteps].Location, $"a sample can have at most {MaxDistinctSteps} filters"));
        }

        var keyCount = sample.Filters[0].Keys.Count;
        foreach (var filter in sample.Filters.Skip(1).Where(f => f.Keys.Count != keyCount))
        {
            binder.Diagnostics.Add(new EqlDiagnostic(filter.Location,
                $"every filter needs the same number of join keys: the first filter has {keyCount}, this filter has {filter.Keys.Count}"));
        }

        var definitions = sample.Filters
            .Take(MaxDistinctSteps)
            .Select(filter => BindStep(binder, categories, filter.Filter, sample.SharedKeys.Concat(filter.Keys).ToArray(), filter.Location))
            .ToArray();
        var keyNames = sample.SharedKeys.Concat(sample.Filters[0].Keys).Select(k => k.ToString()).ToArray();
        return new CompiledQuery<TEvent>(sample, definitions, Enumerable.Range(0, definitions.Length).ToArray(), null, keyNames, fields);
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
