using System.Globalization;
using System.Text;
using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>length(s): the character count of the (first) string value; null for null.</summary>
internal sealed class LengthNode<TEvent>(ValueNode<TEvent> source) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document)
    {
        var value = source.Evaluate(document).First;
        return value.Kind == EqlValueKind.String ? EqlValue.FromInteger(value.AsString.Length) : EqlValue.Null;
    }
}

/// <summary>concat(a, b, ...): the values as text, joined; null if any is null.</summary>
internal sealed class ConcatNode<TEvent>(ValueNode<TEvent>[] parts) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            var value = part.Evaluate(document).First;
            if (value.IsNull)
            {
                return EqlValue.Null;
            }

            builder.Append(value.ToString());
        }

        return EqlValue.FromString(builder.ToString());
    }
}

/// <summary>string(v): the value as text; null for null.</summary>
internal sealed class ToStringNode<TEvent>(ValueNode<TEvent> source) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document)
    {
        var value = source.Evaluate(document).First;
        return value.IsNull ? EqlValue.Null : EqlValue.FromString(value.ToString());
    }
}

/// <summary>number(s[, base]): parses an integer (0x prefix means hex) or a float; null when it does not parse.</summary>
internal sealed class ToNumberNode<TEvent>(ValueNode<TEvent> source, ValueNode<TEvent>? radix) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document)
    {
        var value = source.Evaluate(document).First;
        if (value.IsNumber)
        {
            return value;
        }

        if (value.Kind != EqlValueKind.String)
        {
            return EqlValue.Null;
        }

        var text = value.AsString.Trim();
        var baseValue = radix?.Evaluate(document).First;
        var numberBase = baseValue is { Kind: EqlValueKind.Integer } b ? (int)b.AsInteger : 10;
        var negative = text.StartsWith('-');
        var unsigned = text.TrimStart('+', '-');
        if (unsigned.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            numberBase = 16;
            unsigned = unsigned[2..];
        }

        if (numberBase == 10)
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return EqlValue.FromInteger(integer);
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? EqlValue.FromFloat(real) : EqlValue.Null;
        }

        if (numberBase is < 2 or > 36 || unsigned.Length == 0)
        {
            return EqlValue.Null;
        }

        long result = 0;
        foreach (var c in unsigned)
        {
            var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (digit >= numberBase)
            {
                return EqlValue.Null;
            }

            result = unchecked((result * numberBase) + digit);
        }

        return EqlValue.FromInteger(negative ? -result : result);
    }
}

/// <summary>substring(s, start[, end]): zero-based, end exclusive, negative positions count from the end (Python slicing).</summary>
internal sealed class SubstringNode<TEvent>(ValueNode<TEvent> source, ValueNode<TEvent> start, ValueNode<TEvent>? end) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document)
    {
        var value = source.Evaluate(document).First;
        var from = start.Evaluate(document).First;
        var to = end?.Evaluate(document).First;
        if (value.Kind != EqlValueKind.String || from.Kind != EqlValueKind.Integer || (to is { } t && t.Kind != EqlValueKind.Integer))
        {
            return EqlValue.Null;
        }

        var text = value.AsString;
        var first = Clamp(from.AsInteger, text.Length);
        var last = to is { } e ? Clamp(e.AsInteger, text.Length) : text.Length;
        return first >= last ? EqlValue.FromString(string.Empty) : EqlValue.FromString(text[first..last]);
    }

    private static int Clamp(long position, int length) => (int)(position < 0 ? Math.Max(0, length + position) : Math.Min(position, length));
}

/// <summary>indexOf(s, sub[, start]) and indexOf~: the first position at or after start (negative means 0); null when absent.</summary>
internal sealed class IndexOfNode<TEvent>(ValueNode<TEvent> source, ValueNode<TEvent> substring, ValueNode<TEvent>? start, bool ignoreCase) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document)
    {
        var value = source.Evaluate(document).First;
        var part = substring.Evaluate(document).First;
        var from = start?.Evaluate(document).First ?? EqlValue.FromInteger(0);
        if (value.Kind != EqlValueKind.String || part.Kind != EqlValueKind.String || from.Kind != EqlValueKind.Integer)
        {
            return EqlValue.Null;
        }

        var text = value.AsString;
        var position = Math.Max(0, from.AsInteger);
        if (position > text.Length)
        {
            return EqlValue.Null;
        }

        var index = text.IndexOf(part.AsString, (int)position, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        return index < 0 ? EqlValue.Null : EqlValue.FromInteger(index);
    }
}

/// <summary>between(s, left, right[, greedy]) and between~: the text between the first left and the next (or, greedy, the last) right.</summary>
internal sealed class BetweenNode<TEvent>(ValueNode<TEvent> source, ValueNode<TEvent> left, ValueNode<TEvent> right, ValueNode<TEvent>? greedy, bool ignoreCase)
    : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document)
    {
        var value = source.Evaluate(document).First;
        var l = left.Evaluate(document).First;
        var r = right.Evaluate(document).First;
        var g = greedy?.Evaluate(document).First ?? EqlValue.False;
        if (value.Kind != EqlValueKind.String || l.Kind != EqlValueKind.String || r.Kind != EqlValueKind.String)
        {
            return EqlValue.Null;
        }

        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var text = value.AsString;
        var start = text.IndexOf(l.AsString, comparison);
        if (start < 0)
        {
            return EqlValue.FromString(string.Empty);
        }

        start += l.AsString.Length;
        var end = g.IsTrue ? text.LastIndexOf(r.AsString, comparison) : text.IndexOf(r.AsString, start, comparison);
        return end < start ? EqlValue.FromString(string.Empty) : EqlValue.FromString(text[start..end]);
    }
}
