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

    private Words _inline;
    private readonly ulong[]? _heap;

    internal CandidateSet(int count)
    {
        Count = count;
        WordCount = (count + 63) / 64;
        _heap = count > InlineCapacity ? new ulong[WordCount] : null;
    }

    /// <summary>How many queries the index holds (the set's universe).</summary>
    public int Count { get; }

    internal int WordCount { get; }

    internal static Span<ulong> BitsOf(ref CandidateSet set) => set._heap ?? ((Span<ulong>)set._inline)[..set.WordCount];

    /// <summary>How many queries the event may be relevant to.</summary>
    public readonly int Candidates
    {
        get
        {
            var n = 0;
            var bits = _heap ?? ((ReadOnlySpan<ulong>)_inline)[..WordCount];
            foreach (var word in bits)
            {
                n += BitOperations.PopCount(word);
            }

            return n;
        }
    }

    public readonly bool Contains(int position)
    {
        var bits = _heap ?? ((ReadOnlySpan<ulong>)_inline)[..WordCount];
        return (uint)position < (uint)Count && (bits[position >> 6] & (1UL << position)) != 0;
    }

    public readonly Enumerator GetEnumerator() => new(this);

    /// <summary>Positions in ascending order.</summary>
    public struct Enumerator
    {
        private readonly CandidateSet _set;
        private int _word;
        private ulong _remaining;

        internal Enumerator(CandidateSet set)
        {
            _set = set;
            _word = -1;
            _remaining = 0;
            Current = -1;
        }

        public int Current { get; private set; }

        public bool MoveNext()
        {
            while (_remaining == 0)
            {
                if (++_word >= _set.WordCount)
                {
                    return false;
                }

                _remaining = _set._heap is { } heap ? heap[_word] : _set._inline[_word];
            }

            var bit = BitOperations.TrailingZeroCount(_remaining);
            _remaining &= _remaining - 1;
            Current = (_word << 6) + bit;
            return true;
        }
    }

    [InlineArray(Length)]
    private struct Words
    {
        public const int Length = 4;

        private ulong _first;
    }
}
