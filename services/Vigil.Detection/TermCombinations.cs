using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>
/// The value combinations of a list of fields in one event, as Elastic's terms aggregations bucket them: a multi-valued
/// field puts the event in one bucket per value (so several fields give their cartesian product), and an event missing
/// any of the fields is in no bucket. At most <see cref="MaxPerEvent"/> combinations are taken from one event, so a
/// field with thousands of values cannot multiply state.
/// </summary>
public sealed class TermCombinations
{
    public const int MaxPerEvent = 100;

    private readonly FieldAccessor<TelemetryEvent>[] fields;

    public TermCombinations(IReadOnlyList<string> fields)
    {
        Fields = fields;
        var schema = TelemetrySchemas.Protobuf;
        this.fields = fields.Select(f => schema.CreateAccessor(schema.Fields.Require(f), f)).ToArray();
        var host = fields.ToList().FindIndex(f => string.Equals(f, "host.id", StringComparison.Ordinal));
        HostIndex = host < 0 ? null : host;
    }

    public IReadOnlyList<string> Fields { get; }

    /// <summary>Where host.id sits among the fields, when it is one: state is then kept under that host's hash tag.</summary>
    public int? HostIndex { get; }

    /// <summary>The combinations of <paramref name="e"/> (one empty combination when there are no fields).</summary>
    public IReadOnlyList<JoinKey> Of(TelemetryEvent e)
    {
        if (this.fields.Length == 0)
        {
            return [JoinKey.Empty];
        }

        var values = new List<string>[this.fields.Length];
        for (var i = 0; i < this.fields.Length; i++)
        {
            var value = this.fields[i](e);
            if (value.IsNull)
            {
                return [];
            }

            var items = new List<string>(value.Count);
            for (var j = 0; j < value.Count; j++)
            {
                var item = value.ItemAt(j);
                if (!item.IsNull)
                {
                    items.Add(item.ToString());
                }
            }

            if (items.Count == 0)
            {
                return [];
            }

            values[i] = items.Distinct(StringComparer.Ordinal).ToList();
        }

        var combinations = new List<JoinKey>();
        var current = new string?[this.fields.Length];
        Expand(values, 0, current, combinations);
        return combinations;
    }

    private static void Expand(List<string>[] values, int index, string?[] current, List<JoinKey> into)
    {
        if (into.Count >= MaxPerEvent)
        {
            return;
        }

        if (index == values.Length)
        {
            into.Add(new JoinKey(current));
            return;
        }

        foreach (var value in values[index])
        {
            current[index] = value;
            Expand(values, index + 1, current, into);
        }
    }
}
