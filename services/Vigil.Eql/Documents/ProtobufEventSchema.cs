using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Vigil.Eql.Documents;

/// <summary>
/// Reads protobuf events through the generated C# properties. Each field accessor is an expression tree compiled once:
/// it walks the nested messages with null checks and converts the leaf to an <see cref="EqlValue"/> without boxing or
/// allocating. An absent sub-message reads as null; a field with explicit presence (proto3 <c>optional</c>: the contract's
/// bools and numbers) reads as null unless set, so false and 0 are values and "absent" is not; an empty string or list
/// reads as null; a time field reads 0 as null (the contract's convention for "absent" times).
/// </summary>
public sealed class ProtobufEventSchema<TMessage> : IEventSchema<TMessage>, IEventCodec<TMessage>
    where TMessage : class, IMessage<TMessage>, new()
{
    private static readonly MethodInfo FromString = Method(nameof(EqlValue.FromString));
    private static readonly MethodInfo FromStrings = Method(nameof(EqlValue.FromStrings));
    private static readonly MethodInfo FromInteger = Method(nameof(EqlValue.FromInteger));
    private static readonly MethodInfo FromFloat = Method(nameof(EqlValue.FromFloat));
    private static readonly MethodInfo FromBoolean = Method(nameof(EqlValue.FromBoolean));
    private static readonly MethodInfo FromTime = typeof(ProtobufEventSchema<TMessage>).GetMethod(nameof(TimeValue), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly MessageParser<TMessage> parser = new(() => new TMessage());
    private readonly ConcurrentDictionary<string, FieldDefinition> read = new(StringComparer.Ordinal);

    // One compiled accessor per field and schema: every rule, exception and setting that reads a field shares it, and
    // a pack loaded again in the same process (a second host, a test) compiles and JIT-compiles no new dynamic method.
    private readonly ConcurrentDictionary<string, FieldAccessor<TMessage>> accessors = new(StringComparer.Ordinal);

    public ProtobufEventSchema(FieldCatalog fields)
    {
        Fields = fields;
    }

    public FieldCatalog Fields { get; }

    /// <summary>
    /// Every field an accessor was created for so far: what the queries, exceptions and rule settings compiled in this
    /// process read from events (all of them read through accessors), e.g. for a decoder that parses only those.
    /// </summary>
    public IReadOnlyCollection<FieldDefinition> FieldsRead => [.. read.Values];

    public FieldAccessor<TMessage> CreateAccessor(FieldDefinition field, string writtenPath)
    {
        ArgumentNullException.ThrowIfNull(field);
        read.TryAdd(field.Path, field);
        return accessors.GetOrAdd(field.Path, static (_, definition) => Compile(definition), field);
    }

    public byte[] Encode(TMessage document) => document.ToByteArray();

    public TMessage Decode(ReadOnlySpan<byte> bytes) => parser.ParseFrom(bytes);

    private static FieldAccessor<TMessage> Compile(FieldDefinition field)
    {
        var document = Expression.Parameter(typeof(TMessage), "document");
        var returnLabel = Expression.Label(typeof(EqlValue), "value");
        var variables = new List<ParameterExpression>();
        var body = new List<Expression>();
        Expression current = document;
        body.Add(Expression.IfThen(Expression.Equal(document, Expression.Constant(null, typeof(TMessage))), Expression.Return(returnLabel, Expression.Default(typeof(EqlValue)))));
        for (var i = 0; i < field.Chain.Count; i++)
        {
            var descriptor = field.Chain[i];
            var property = current.Type.GetProperty(descriptor.PropertyName, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new InvalidOperationException($"{current.Type.Name} has no generated property for field '{descriptor.Name}'.");
            Expression read = Expression.Property(current, property);
            if (i < field.Chain.Count - 1)
            {
                var level = Expression.Variable(property.PropertyType, descriptor.Name);
                variables.Add(level);
                body.Add(Expression.Assign(level, read));
                body.Add(Expression.IfThen(Expression.Equal(level, Expression.Constant(null, property.PropertyType)), Expression.Return(returnLabel, Expression.Default(typeof(EqlValue)))));
                current = level;
            }
            else
            {
                if (HasExplicitPresence(descriptor))
                {
                    // Generated code answers "was it set?" with Has<Name>; an unset optional must not read as false or 0.
                    var has = current.Type.GetProperty("Has" + descriptor.PropertyName, BindingFlags.Public | BindingFlags.Instance)
                        ?? throw new InvalidOperationException($"{current.Type.Name} has no presence property for optional field '{descriptor.Name}'.");
                    body.Add(Expression.IfThen(Expression.Not(Expression.Property(current, has)), Expression.Return(returnLabel, Expression.Default(typeof(EqlValue)))));
                }

                body.Add(Expression.Label(returnLabel, ConvertLeaf(field, descriptor, read)));
            }
        }

        var lambda = Expression.Lambda<FieldAccessor<TMessage>>(Expression.Block(typeof(EqlValue), variables, body), $"read_{field.Path}", [document]);
        return lambda.Compile();
    }

    private static Expression ConvertLeaf(FieldDefinition field, FieldDescriptor descriptor, Expression read)
    {
        if (descriptor.IsRepeated)
        {
            return Expression.Call(FromStrings, Expression.Convert(read, typeof(IReadOnlyList<string>)));
        }

        return field.Type switch
        {
            EqlFieldType.String when descriptor.FieldType == FieldType.Enum => Expression.Call(FromString, Expression.Call(Expression.Convert(read, typeof(object)), typeof(object).GetMethod(nameof(ToString))!)),
            EqlFieldType.String => Expression.Call(FromString, read),
            EqlFieldType.Boolean => Expression.Call(FromBoolean, read),
            EqlFieldType.Float => Expression.Call(FromFloat, Expression.Convert(read, typeof(double))),
            EqlFieldType.Time => Expression.Call(FromTime, Expression.Convert(read, typeof(long))),
            _ => Expression.Call(FromInteger, Expression.Convert(read, typeof(long))),
        };
    }

    private static bool HasExplicitPresence(FieldDescriptor descriptor) =>
        descriptor.HasPresence && !descriptor.IsRepeated && descriptor.FieldType is not (FieldType.Message or FieldType.Group);

    private static EqlValue TimeValue(long nanoseconds) => nanoseconds == 0 ? default : EqlValue.FromInteger(nanoseconds);

    private static MethodInfo Method(string name) => typeof(EqlValue).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;
}
