using System.Globalization;

namespace Vigil.Eql.Documents;

/// <summary>
/// A field or expression value as EQL sees it, without boxing: null, bool, integer, float, string, or a list of them
/// (a multi-valued field, which matches when any of its values does). Empty strings and empty lists read as null,
/// because protobuf cannot tell "absent" from "empty" and Elastic does not index empty values.
/// </summary>
public readonly struct EqlValue
{
    private readonly object? reference;
    private readonly long bits;

    private EqlValue(EqlValueKind kind, object? reference, long bits)
    {
        Kind = kind;
        this.reference = reference;
        this.bits = bits;
    }

    public static EqlValue Null => default;

    public static EqlValue True { get; } = new(EqlValueKind.Boolean, null, 1);

    public static EqlValue False { get; } = new(EqlValueKind.Boolean, null, 0);

    public EqlValueKind Kind { get; }

    public bool IsNull => Kind == EqlValueKind.Null;

    public bool IsList => Kind is EqlValueKind.StringList or EqlValueKind.ValueList;

    public bool IsNumber => Kind is EqlValueKind.Integer or EqlValueKind.Float;

    public static EqlValue FromString(string? value) =>
        string.IsNullOrEmpty(value) ? default : new EqlValue(EqlValueKind.String, value, 0);

    public static EqlValue FromStrings(IReadOnlyList<string>? values) =>
        values is null || values.Count == 0 ? default : new EqlValue(EqlValueKind.StringList, values, 0);

    public static EqlValue FromValues(IReadOnlyList<EqlValue>? values) =>
        values is null || values.Count == 0 ? default : new EqlValue(EqlValueKind.ValueList, values, 0);

    public static EqlValue FromInteger(long value) => new(EqlValueKind.Integer, null, value);

    public static EqlValue FromFloat(double value) => new(EqlValueKind.Float, null, BitConverter.DoubleToInt64Bits(value));

    public static EqlValue FromBoolean(bool value) => value ? True : False;

    public bool AsBoolean => Kind == EqlValueKind.Boolean ? this.bits != 0 : throw WrongKind(EqlValueKind.Boolean);

    public long AsInteger => Kind == EqlValueKind.Integer ? this.bits : throw WrongKind(EqlValueKind.Integer);

    public double AsFloat => Kind switch
    {
        EqlValueKind.Float => BitConverter.Int64BitsToDouble(this.bits),
        EqlValueKind.Integer => this.bits,
        _ => throw WrongKind(EqlValueKind.Float),
    };

    public string AsString => Kind == EqlValueKind.String ? (string)this.reference! : throw WrongKind(EqlValueKind.String);

    /// <summary>True only for the boolean true; a condition reading null or a non-boolean does not hold.</summary>
    public bool IsTrue => Kind == EqlValueKind.Boolean && this.bits != 0;

    /// <summary>How many single values this holds: 0 for null, the length for a list, else 1.</summary>
    public int Count => Kind switch
    {
        EqlValueKind.Null => 0,
        EqlValueKind.StringList => ((IReadOnlyList<string>)this.reference!).Count,
        EqlValueKind.ValueList => ((IReadOnlyList<EqlValue>)this.reference!).Count,
        _ => 1,
    };

    /// <summary>The <paramref name="index"/>-th single value (the value itself when it is not a list).</summary>
    public EqlValue ItemAt(int index) => Kind switch
    {
        EqlValueKind.StringList => new EqlValue(EqlValueKind.String, ((IReadOnlyList<string>)this.reference!)[index], 0),
        EqlValueKind.ValueList => ((IReadOnlyList<EqlValue>)this.reference!)[index],
        _ when index == 0 && Kind != EqlValueKind.Null => this,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>The first single value, or null.</summary>
    public EqlValue First => Count == 0 ? default : ItemAt(0);

    /// <summary>Equality of single values as EQL's == sees it: numbers by value across integer and float, strings ordinally.</summary>
    public bool ScalarEquals(EqlValue other, bool ignoreCase = false) => (Kind, other.Kind) switch
    {
        (EqlValueKind.String, EqlValueKind.String) => string.Equals(AsString, other.AsString, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal),
        (EqlValueKind.Integer, EqlValueKind.Integer) => this.bits == other.bits,
        (EqlValueKind.Boolean, EqlValueKind.Boolean) => this.bits == other.bits,
        _ when IsNumber && other.IsNumber => AsFloat.Equals(other.AsFloat),
        _ => false,
    };

    /// <summary>Orders two single values of comparable kinds; null when they cannot be ordered (EQL then says false).</summary>
    public int? ScalarCompare(EqlValue other)
    {
        if (Kind == EqlValueKind.Integer && other.Kind == EqlValueKind.Integer)
        {
            return this.bits.CompareTo(other.bits);
        }

        if (IsNumber && other.IsNumber)
        {
            return AsFloat.CompareTo(other.AsFloat);
        }

        if (Kind == EqlValueKind.String && other.Kind == EqlValueKind.String)
        {
            return string.CompareOrdinal(AsString, other.AsString);
        }

        if (Kind == EqlValueKind.Boolean && other.Kind == EqlValueKind.Boolean)
        {
            return this.bits.CompareTo(other.bits);
        }

        return null;
    }

    /// <summary>The value as text: how join keys and evidence show it.</summary>
    public override string ToString() => Kind switch
    {
        EqlValueKind.Null => "null",
        EqlValueKind.Boolean => this.bits != 0 ? "true" : "false",
        EqlValueKind.Integer => this.bits.ToString(CultureInfo.InvariantCulture),
        EqlValueKind.Float => AsFloat.ToString("R", CultureInfo.InvariantCulture),
        EqlValueKind.String => AsString,
        _ => ListText(this),
    };

    private static string ListText(EqlValue list) =>
        "[" + string.Join(", ", Enumerable.Range(0, list.Count).Select(i => list.ItemAt(i).ToString())) + "]";

    private InvalidOperationException WrongKind(EqlValueKind wanted) => new($"The value is {Kind}, not {wanted}.");
}
