using Vigil.Eql.Documents;

namespace Vigil.Eql.Indexing;

/// <summary>
/// Indexes queries by what an event must have to be relevant to them (see <see cref="CompiledQuery{TEvent}.IsRelevant"/>),
/// so an event is tested only against the queries it could be relevant to. Each query's steps and until clause are
/// reduced, conservatively, to required values, value prefixes or value suffixes of a few fields (event.category from
/// <c>process where</c>, event.type, event.action, process.name, process.args, file.path, file.name, booleans such as
/// process.code_signature.trusted, ...); per event, each indexed field that could still exclude a candidate is read
/// once and looked up. A query relevant to an event is always among its candidates: the index may let irrelevant
/// queries through, never drop a relevant one. A query none of whose relevance reduces to an indexed field is checked
/// for every event.
/// </summary>
public sealed class QueryIndex<TEvent>
{
    /// <summary>The default number of fields indexed: each costs one field read per event.</summary>
    public const int DefaultMaxFields = 16;

    // Prefixes (suffixes) are looked up by their first (last) 1, 2, 4, ... characters: one is cut to the longest of these
    // it covers, which keeps the lookups per value few whatever the rules use (a shorter prefix is still necessary).
    private static readonly int[] AffixLengths = [1, 2, 4, 8, 16, 32];

    private readonly FieldIndex[] fields;

    public QueryIndex(IReadOnlyList<CompiledQuery<TEvent>> queries, int maxFields = DefaultMaxFields)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFields);
        Count = queries.Count;
        var requirements = queries.Select(q => q.Relevance).ToArray();

        // A field earns its read per event by the queries it can exclude: many constrained queries, spread over many
        // values. One every query requires with the same value (host.os.type == "macos") excludes nothing in a fleet
        // of one OS and is not indexed at all.
        var chosen = requirements
            .SelectMany(r => r.Fields.Values)
            .GroupBy(f => f.Path, StringComparer.Ordinal)
            .Select(g => (Path: g.Key, Score: g.Count() * (1 - (1.0 / Spread(g.Key, g.SelectMany(f => f.Values.Concat(f.Prefixes).Concat(f.Suffixes)))))))
            .Where(f => f.Score > 0)
            .OrderByDescending(f => f.Score)
            .ThenBy(f => f.Path, StringComparer.Ordinal)
            .Take(maxFields)
            .Select(f => f.Path)
            .ToArray();
        fields = chosen.Select(path => new FieldIndex(path, requirements, Count)).ToArray();
        IndexedFields = chosen;
        AlwaysChecked = requirements.Count(r => !chosen.Any(r.Fields.ContainsKey));
    }

    /// <summary>
    /// How many ways the events of a field spread over the values rules name: their distinct keys, plus one for a
    /// boolean field (process.code_signature.trusted == false still excludes the events where it is true or missing)
    /// and for event.category (every event has one of ECS's few categories, so one named by a small pack's only rule
    /// still excludes the rest), where one string every rule names, such as host.os.type "macos", may be all a fleet
    /// ever has.
    /// </summary>
    private static int Spread(string path, IEnumerable<string> keys)
    {
        var distinct = keys.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var spreadsFurther = path == Evaluation.CategoryNode<TEvent>.Path || distinct.All(k => k is "true" or "false");
        return distinct.Length + (spreadsFurther ? 1 : 0);
    }

    /// <summary>How many queries the index holds.</summary>
    public int Count { get; }

    /// <summary>The fields the index reads per event, in lookup order.</summary>
    public IReadOnlyList<string> IndexedFields { get; }

    /// <summary>Queries no indexed field constrains: every event is a candidate for them.</summary>
    public int AlwaysChecked { get; }

    /// <summary>The positions of the queries <paramref name="document"/> may be relevant to (a superset of those it is).</summary>
    public CandidateSet Candidates(TEvent document)
    {
        var set = new CandidateSet(Count);
        var bits = CandidateSet.BitsOf(ref set);
        bits.Fill(ulong.MaxValue);
        if (Count % 64 != 0)
        {
            bits[^1] = (1UL << (Count % 64)) - 1;
        }

        Span<ulong> field = stackalloc ulong[bits.Length];
        foreach (var index in fields)
        {
            if (!index.Constrains(bits))
            {
                // No query still in the set depends on this field: reading it could not remove any.
                continue;
            }

            index.Allow(document, field);
            var any = 0UL;
            for (var i = 0; i < bits.Length; i++)
            {
                bits[i] &= field[i];
                any |= bits[i];
            }

            if (any == 0)
            {
                break;
            }
        }

        return set;
    }

    /// <summary>One indexed field: which queries each value (or value prefix, or suffix) lets through.</summary>
    private sealed class FieldIndex
    {
        private readonly FieldAccessor<TEvent> accessor;
        private readonly ulong[] unconstrained;
        private readonly Dictionary<string, ulong[]> values = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, ulong[]>.AlternateLookup<ReadOnlySpan<char>> valueLookup;
        private readonly (int Length, Dictionary<string, ulong[]>.AlternateLookup<ReadOnlySpan<char>> Lookup)[] prefixes;
        private readonly (int Length, Dictionary<string, ulong[]>.AlternateLookup<ReadOnlySpan<char>> Lookup)[] suffixes;

        public FieldIndex(string path, Requirement<TEvent>[] requirements, int count)
        {
            var words = (count + 63) / 64;
            unconstrained = new ulong[words];
            var prefixes = new SortedDictionary<int, Dictionary<string, ulong[]>>();
            var suffixes = new SortedDictionary<int, Dictionary<string, ulong[]>>();
            FieldAccessor<TEvent>? accessor = null;
            for (var q = 0; q < requirements.Length; q++)
            {
                if (!requirements[q].Fields.TryGetValue(path, out var requirement))
                {
                    unconstrained[q >> 6] |= 1UL << q;
                    continue;
                }

                accessor ??= requirement.Accessor;
                foreach (var value in requirement.Values)
                {
                    Mark(values, value, q, words);
                }

                foreach (var prefix in requirement.Prefixes)
                {
                    var length = AffixLengths.Last(l => l <= prefix.Length);
                    Mark(Table(prefixes, length), prefix[..length], q, words);
                }

                foreach (var suffix in requirement.Suffixes)
                {
                    var length = AffixLengths.Last(l => l <= suffix.Length);
                    Mark(Table(suffixes, length), suffix[^length..], q, words);
                }
            }

            this.accessor = accessor!;
            valueLookup = values.GetAlternateLookup<ReadOnlySpan<char>>();
            this.prefixes = prefixes.Select(p => (p.Key, p.Value.GetAlternateLookup<ReadOnlySpan<char>>())).ToArray();
            this.suffixes = suffixes.Select(p => (p.Key, p.Value.GetAlternateLookup<ReadOnlySpan<char>>())).ToArray();
        }

        /// <summary>True when some query in <paramref name="set"/> is constrained by this field.</summary>
        public bool Constrains(ReadOnlySpan<ulong> set)
        {
            for (var i = 0; i < set.Length; i++)
            {
                if ((set[i] & ~unconstrained[i]) != 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Writes into <paramref name="allowed"/> the queries the event's values of this field let through.</summary>
        public void Allow(TEvent document, Span<ulong> allowed)
        {
            unconstrained.CopyTo(allowed);
            var value = this.accessor(document);
            for (var i = 0; i < value.Count; i++)
            {
                if (ValueRequirement<TEvent>.KeyOf(value.ItemAt(i)) is not { } key)
                {
                    continue;
                }

                var text = key.AsSpan();
                if (valueLookup.TryGetValue(text, out var exact))
                {
                    Or(allowed, exact);
                }

                foreach (var (length, lookup) in this.prefixes)
                {
                    if (text.Length < length)
                    {
                        break;
                    }

                    if (lookup.TryGetValue(text[..length], out var matched))
                    {
                        Or(allowed, matched);
                    }
                }

                foreach (var (length, lookup) in this.suffixes)
                {
                    if (text.Length < length)
                    {
                        break;
                    }

                    if (lookup.TryGetValue(text[^length..], out var matched))
                    {
                        Or(allowed, matched);
                    }
                }
            }
        }

        private static Dictionary<string, ulong[]> Table(SortedDictionary<int, Dictionary<string, ulong[]>> tables, int length)
        {
            if (!tables.TryGetValue(length, out var table))
            {
                tables[length] = table = new Dictionary<string, ulong[]>(StringComparer.OrdinalIgnoreCase);
            }

            return table;
        }

        private static void Mark(Dictionary<string, ulong[]> table, string key, int query, int words)
        {
            if (!table.TryGetValue(key, out var bits))
            {
                table[key] = bits = new ulong[words];
            }

            bits[query >> 6] |= 1UL << query;
        }

        private static void Or(Span<ulong> into, ulong[] bits)
        {
            for (var i = 0; i < into.Length; i++)
            {
                into[i] |= bits[i];
            }
        }
    }
}
