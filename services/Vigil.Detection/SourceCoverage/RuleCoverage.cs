using Vigil.Eql.Documents;
using Vigil.Eql.Syntax;
using Vigil.Rules;

namespace Vigil.Detection.SourceCoverage;

/// <summary>
/// Whether a rule can ever fire on the configured sources: each step must find a source event kind it accepts and
/// every field its conditions require. A rule fires when one source can feed all its steps (a host's events come
/// from one agent).
/// </summary>
public static class RuleCoverage
{
    private static readonly string[] KindFields = ["event.category", "event.type", "event.action"];

    /// <summary>Problems per source (empty list: the source can feed every step).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Check(EqlQuery query, IEnumerable<SourceFormat> sources)
    {
        var steps = Needs(query);
        return sources.ToDictionary(s => s.Name, s => (IReadOnlyList<string>)steps.SelectMany(step => Problems(step, s, steps.Count)).ToList(), StringComparer.Ordinal);
    }

    /// <summary>Fields the query names anywhere that none of <paramref name="sources"/> populates.</summary>
    public static IReadOnlyList<string> FieldsNeverProduced(EqlQuery query, IReadOnlyList<SourceFormat> sources) =>
        Needs(query).SelectMany(s => s.ReferencedFields).Distinct(StringComparer.Ordinal)
            .Where(f => !sources.Any(s => s.Fields.Contains(f)))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<StepNeeds> Needs(EqlQuery query) => query switch
    {
        EventQuery single => [Step(0, single.Filter)],
        SequenceQuery sequence => sequence.Steps.Select((s, i) => Step(i, s.Filter)).ToList(),
        _ => [],
    };

    private static IEnumerable<string> Problems(StepNeeds step, SourceFormat source, int stepCount)
    {
        var where = stepCount > 1 ? $"step {step.Step + 1} needs " : "needs ";
        var kinds = source.Events.Where(e => step.Category is null || e.Category == step.Category).ToList();
        if (kinds.Count == 0)
        {
            yield return $"{where}{step.Category} events, which {source.Name} never produces";
            yield break;
        }

        foreach (var (field, values) in step.KindValues)
        {
            kinds = kinds.Where(k => values.Contains(field switch
            {
                "event.category" => k.Category,
                "event.type" => k.Type,
                _ => k.Action,
            })).ToList();
            if (kinds.Count == 0)
            {
                yield return $"{where}{step.Category ?? "any"} events with {field} {string.Join(" or ", values.Order(StringComparer.Ordinal).Select(v => $"\"{v}\""))}, which {source.Name} never produces";
                yield break;
            }
        }

        foreach (var field in step.RequiredFields.Where(f => !KindFields.Contains(f) && !source.Fields.Contains(f)).Order(StringComparer.Ordinal))
        {
            yield return $"{where}field '{field}', which {source.Name} never populates";
        }
    }

    private static StepNeeds Step(int index, EventFilter filter)
    {
        var kindValues = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var conjunct in Conjuncts(filter.Condition))
        {
            Demand(conjunct, kindValues, required);
        }

        var referenced = new HashSet<string>(StringComparer.Ordinal);
        CollectFields(filter.Condition, referenced);
        var category = filter.Category is null or "any" ? null : filter.Category;
        return new StepNeeds(index, category, kindValues, required, referenced);
    }

    private static IEnumerable<EqlExpression> Conjuncts(EqlExpression expression) =>
        expression is LogicalExpression { Operator: LogicalOperator.And } and
            ? Conjuncts(and.Left).Concat(Conjuncts(and.Right))
            : [expression];

    private static void Demand(EqlExpression conjunct, Dictionary<string, IReadOnlySet<string>> kindValues, HashSet<string> required)
    {
        switch (conjunct)
        {
            case ComparisonExpression { Left: FieldExpression field, Right: LiteralExpression literal } comparison:
                if (comparison.Operator == ComparisonOperator.Equal && literal.Value is string value)
                {
                    Narrow(Canonical(field), [value], kindValues);
                }

                // "x == null" is the one comparison an absent field satisfies.
                if (literal.Value is not null || comparison.Operator != ComparisonOperator.Equal)
                {
                    required.Add(Canonical(field));
                }

                break;
            case InExpression { Value: FieldExpression field, Negated: false } inList:
                if (inList.Items.All(i => i is LiteralExpression { Value: string }))
                {
                    Narrow(Canonical(field), inList.Items.Select(i => (string)((LiteralExpression)i).Value!), kindValues, ignoreCase: inList.CaseInsensitive);
                }

                required.Add(Canonical(field));
                break;
            case PatternExpression { Value: FieldExpression field } pattern:
                if (pattern.Patterns.All(p => p.Value is string s && !s.Contains('*', StringComparison.Ordinal) && !s.Contains('?', StringComparison.Ordinal)))
                {
                    Narrow(Canonical(field), pattern.Patterns.Select(p => (string)p.Value!), kindValues, ignoreCase: true);
                }

                required.Add(Canonical(field));
                break;
            case FieldExpression field when !field.Optional:
                required.Add(Canonical(field));
                break;
        }
    }

    private static void Narrow(string field, IEnumerable<string> values, Dictionary<string, IReadOnlySet<string>> kindValues, bool ignoreCase = false)
    {
        if (!KindFields.Contains(field))
        {
            return;
        }

        var set = values.Select(v => ignoreCase ? v.ToLowerInvariant() : v).ToHashSet(StringComparer.Ordinal);
        kindValues[field] = kindValues.TryGetValue(field, out var existing) ? existing.Intersect(set).ToHashSet(StringComparer.Ordinal) : set;
    }

    private static string Canonical(FieldExpression field) =>
        TelemetrySchemas.Fields.TryResolve(field.Path, out var definition, out _) ? definition.Path : field.Path;

    /// <summary>Every field the expression names, whatever node holds it (so new expression kinds are covered too).</summary>
    private static void CollectFields(object? node, HashSet<string> fields)
    {
        switch (node)
        {
            case null:
                return;
            case FieldExpression field:
                fields.Add(Canonical(field));
                return;
            case EqlExpression expression:
                foreach (var property in expression.GetType().GetProperties())
                {
                    if (property.PropertyType == typeof(Vigil.Eql.SourceLocation) || property.GetIndexParameters().Length > 0)
                    {
                        continue;
                    }

                    CollectFields(property.GetValue(expression), fields);
                }

                return;
            case System.Collections.IEnumerable items and not string:
                foreach (var item in items)
                {
                    CollectFields(item, fields);
                }

                return;
        }
    }
}
