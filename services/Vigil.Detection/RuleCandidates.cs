using System.Collections;
using Vigil.Eql.Indexing;

namespace Vigil.Detection;

/// <summary>
/// The rules of a pack one event may be relevant to (<see cref="AnalyticPack.Candidates"/>), in the pack's order, so
/// iterating them gives the results iterating every rule gives. A struct: a <c>foreach</c> over it allocates nothing
/// (LINQ over it, through <see cref="IEnumerable{T}"/>, does).
/// </summary>
public readonly struct RuleCandidates(IReadOnlyList<CompiledRule> rules, CandidateSet set) : IEnumerable<CompiledRule>
{
    /// <summary>How many rules the event reaches.</summary>
    public int Count => set.Candidates;

    public Enumerator GetEnumerator() => new(rules, set.GetEnumerator());

    IEnumerator<CompiledRule> IEnumerable<CompiledRule>.GetEnumerator()
    {
        foreach (var position in set)
        {
            yield return rules[position];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<CompiledRule>)this).GetEnumerator();

    public struct Enumerator(IReadOnlyList<CompiledRule> rules, CandidateSet.Enumerator positions)
    {
        private CandidateSet.Enumerator positions = positions;

        public readonly CompiledRule Current => rules[this.positions.Current];

        public bool MoveNext() => this.positions.MoveNext();
    }
}
