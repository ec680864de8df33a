using System.Linq.Expressions;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.Reflection;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// Builds the <see cref="MessagePlan"/>s of a <see cref="FieldSelection"/>: readers for selected fields (setters
/// compiled once from the generated properties), checks for the rest, and the string cache each cached field uses.
/// </summary>
internal sealed class PlanBuilder
{
    /// <summary>
    /// String fields whose values are (nearly) unique per event: caching them would only churn the cache. Every other
    /// selected string field (categories, actions, host and OS names, executables, signers...) is cached.
    /// </summary>
    private static readonly HashSet<string> Unique = new(StringComparer.Ordinal)
    {
        "command_line", "args", "env_vars", "ancestry", "message", "community_id", "title",
        "sha256", "sha1", "md5", "cdhash", "sha384", "sha512", "ssdeep", "tlsh", "inode", "header_bytes",
        "query", "fragment", "content", "ephemeral_id",
    };

    private readonly Dictionary<MessageDescriptor, MessagePlan> checks = [];

    public int CachedFields { get; private set; }

    /// <summary>The plans that read (one message pool each), by <see cref="MessagePlan.Id"/>.</summary>
    public List<MessagePlan> Plans { get; } = [];

    public MessagePlan Build(MessageDescriptor descriptor, FieldSelection.Node node)
    {
        var plan = new MessagePlan(descriptor, Plans.Count);
        Plans.Add(plan);
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            if (!node.Children.TryGetValue(field.FieldNumber, out var child))
            {
                plan.Set(field.FieldNumber, Skip(field));
            }
            else if (child is not null)
            {
                var (get, set, _) = MessageAccessors(field);
                plan.Set(field.FieldNumber, new FieldPlans.Message(Build(field.MessageType, child), get, set));
            }
            else
            {
                plan.Set(field.FieldNumber, Read(field));
            }
        }

        return plan;
    }

    /// <summary>The plan that reads nothing of <paramref name="descriptor"/> and checks all of it (shared, and recursive types refer to themselves).</summary>
    private MessagePlan Check(MessageDescriptor descriptor)
    {
        if (checks.TryGetValue(descriptor, out var known))
        {
            return known;
        }

        var plan = new MessagePlan(descriptor, -1);
        checks[descriptor] = plan;
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            plan.Set(field.FieldNumber, Skip(field));
        }

        return plan;
    }

    private FieldPlan Skip(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => new FieldPlans.SkipString(),
        FieldType.Message or FieldType.Group => new FieldPlans.SkipMessage(Check(field.MessageType)),
        _ => new FieldPlans.SkipValue(),
    };

    private FieldPlan Read(FieldDescriptor field)
    {
        if (field.IsMap || (field.IsRepeated && field.FieldType != FieldType.String))
        {
            throw new NotSupportedException($"Selecting {field.FullName} is not supported by the selective parser (a map or a repeated non-string field): select its message whole.");
        }

        var type = field.ContainingType.ClrType;
        switch (field.FieldType)
        {
            case FieldType.String when field.IsRepeated:
                return new FieldPlans.RepeatedString(Getter<ICollection<string>>(type, field), CacheFor(field));
            case FieldType.String:
                return new FieldPlans.String(Setter<string>(type, field), CacheFor(field));
            case FieldType.Int64 or FieldType.UInt64:
                return new FieldPlans.Int64(Setter<long>(type, field));
            case FieldType.Int32 or FieldType.UInt32:
                return new FieldPlans.Int32(Setter<int>(type, field));
            case FieldType.Bool:
                return new FieldPlans.Boolean(Setter<bool>(type, field));
            case FieldType.Double:
                return new FieldPlans.Double(Setter<double>(type, field));
            case FieldType.Float:
                return new FieldPlans.Float(Setter<float>(type, field));
            case FieldType.Message:
                var (get, set, create) = MessageAccessors(field);
                return new FieldPlans.WholeMessage(get, set, create);
            default:
                throw new NotSupportedException($"Selecting {field.FullName} ({field.FieldType}) is not supported by the selective parser: select its message whole.");
        }
    }

    private int CacheFor(FieldDescriptor field) =>
        Unique.Contains(field.Name) || (field.Name == "id" && field.ContainingType.Name is "Event" or "Dns") ? -1 : CachedFields++;

    /// <summary>
    /// Clears <paramref name="fields"/> the way a new message has them: "" for a string, 0 for a scalar, unset (ClearX)
    /// for one with presence, empty for a list, null for a message. Compiled into one call per message, because the
    /// reflection accessors' Clear boxes and a call per field cost more than the clearing.
    /// </summary>
    public static Action<IMessage> Resetter(MessageDescriptor descriptor, IReadOnlyList<FieldDescriptor> fields)
    {
        var type = descriptor.ClrType;
        var target = Expression.Parameter(typeof(IMessage), "target");
        var typed = Expression.Variable(type, "typed");
        var body = new List<Expression> { Expression.Assign(typed, Expression.Convert(target, type)) };
        foreach (var field in fields)
        {
            var property = Expression.Property(typed, field.PropertyName);
            if (field.IsRepeated)
            {
                body.Add(Expression.Call(property, property.Type.GetMethod("Clear", Type.EmptyTypes)!));
            }
            else if (field.FieldType == FieldType.Message)
            {
                body.Add(Expression.Assign(property, Expression.Constant(null, property.Type)));
            }
            else if (type.GetMethod("Clear" + field.PropertyName, Type.EmptyTypes) is { } clear)
            {
                body.Add(Expression.Call(typed, clear));
            }
            else
            {
                body.Add(Expression.Assign(property, property.Type == typeof(string) ? Expression.Constant(string.Empty) : Expression.Default(property.Type)));
            }
        }

        body.Add(Expression.Empty());
        return Expression.Lambda<Action<IMessage>>(Expression.Block([typed], body), target).Compile();
    }

    /// <summary>A new, empty message of <paramref name="descriptor"/>'s generated type.</summary>
    public static Func<IMessage> Creator(MessageDescriptor descriptor) =>
        Expression.Lambda<Func<IMessage>>(Expression.Convert(Expression.New(descriptor.ClrType), typeof(IMessage))).Compile();

    private static (Func<IMessage, IMessage?> Get, Action<IMessage, IMessage> Set, Func<IMessage> Create) MessageAccessors(FieldDescriptor field)
    {
        var type = field.ContainingType.ClrType;
        var messageType = field.MessageType.ClrType;
        var target = Expression.Parameter(typeof(IMessage), "target");
        var value = Expression.Parameter(typeof(IMessage), "value");
        var property = Expression.Property(Expression.Convert(target, type), field.PropertyName);
        var get = Expression.Lambda<Func<IMessage, IMessage?>>(Expression.Convert(property, typeof(IMessage)), target).Compile();
        var set = Expression.Lambda<Action<IMessage, IMessage>>(Expression.Assign(property, Expression.Convert(value, messageType)), target, value).Compile();
        return (get, set, Creator(field.MessageType));
    }

    private static Action<IMessage, TValue> Setter<TValue>(Type type, FieldDescriptor field)
    {
        var target = Expression.Parameter(typeof(IMessage), "target");
        var value = Expression.Parameter(typeof(TValue), "value");
        var property = Expression.Property(Expression.Convert(target, type), field.PropertyName);
        Expression assigned = property.Type == typeof(TValue) ? value : Expression.Convert(value, property.Type);
        return Expression.Lambda<Action<IMessage, TValue>>(Expression.Assign(property, assigned), target, value).Compile();
    }

    private static Func<IMessage, TValue> Getter<TValue>(Type type, FieldDescriptor field)
    {
        var target = Expression.Parameter(typeof(IMessage), "target");
        var property = Expression.Property(Expression.Convert(target, type), field.PropertyName);
        if (!typeof(TValue).IsAssignableFrom(typeof(RepeatedField<string>)) || property.Type != typeof(RepeatedField<string>))
        {
            throw new NotSupportedException($"{field.FullName} is not a repeated string field.");
        }

        return Expression.Lambda<Func<IMessage, TValue>>(Expression.Convert(property, typeof(TValue)), target).Compile();
    }
}
