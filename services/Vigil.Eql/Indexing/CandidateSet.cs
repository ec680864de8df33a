using System.Numerics;
using System.Runtime.CompilerServices;

namespace Vigil.Eql.Indexing;

/// <summary>
/// The queries of a <see cref="QueryIndex{TEvent}"/> an event may be relevant to, as a bit set over their positions.
/// Enumerates positions in ascending order, so callers visit rules in the order a brute-force loop would. Up to
/// <see cref="InlineCapacity"/> queries it lives on the stack; larger sets use an array.
/// </summary>
public struct CandidateSet
{
    /// <summary>The most queries a set holds without allocating.</summary>
    public const int InlineCapacity = Words.Length * 64;

    private Words inline;
    private readonly ulong[]? heap;

    internal CandidateSet(int count)
    {
        Count = count;
        WordCount = (count + 63) / 64;
        this.heap = count > InlineCapacity ? new ulong[WordCount] : null;
    }

    /// <summary>How many queries the index holds (the set's universe).</summary>
    public int Count { get; }

    internal int WordCount { get; }

    internal static Span<ulong> BitsOf(ref CandidateSet set) => set.heap ?? ((Span<ulong>)set.inline)[..set.WordCount];

    /// <summary>How many queries the event may be relevant to.</summary>
    public readonly int Candidates
    {
        get
        {
            var n = 0;
            var bits = this.heap ?? ((ReadOnlySpan<ulong>)inline)[..WordCount];
            foreach (var word in bits)
            {
                n += BitOperations.PopCount(word);
            }

            return n;
        }
    }

    public readonly bool Contains(int position)
    {
        var bits = this.heap ?? ((ReadOnlySpan<ulong>)inline)[..WordCount];
        return (uint)position < (uint)Count && (bits[position >> 6] & (1UL << position)) != 0;
    }

    public readonly Enumerator GetEnumerator() => new(this);

    /// <summary>Positions in ascending order.</summary>
    public struct Enumerator
    {
        private readonly CandidateSet set;
        private int word;
        private ulong remaining;

        internal Enumerator(CandidateSet set)
        {
            this.set = set;
            this.word = -1;
            remaining = 0;
            Current = -1;
        }

        public int Current { get; private set; }

        public bool MoveNext()
        {
            while (remaining == 0)
            {
                if (++this.word >= this.set.WordCount)
                {
                    return false;
                }

                remaining = this.set.heap is { } heap ? heap[this.word] : this.set.inline[this.word];
            }

            var bit = BitOperations.TrailingZeroCount(remaining);
            remaining &= remaining - 1;
            Current = (this.word << 6) + bit;
            return true;
        }
    }

    [InlineArray(Length)]
    private struct Words
    {
        public const int Length = 4;

        private ulong first;
    }
}
