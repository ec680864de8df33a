using System.Collections.Concurrent;
using System.Collections.Frozen;
using Google.Protobuf.Reflection;

namespace Vigil.Contracts;

/// <summary>
/// How proto fields are named and typed in ECS JSON. Proto field names are already ECS snake_case;
/// only names that cannot be proto identifiers differ, plus the ECS date fields carried as nanoseconds.
/// </summary>
internal static class EcsFieldNaming
{
    // ECS leaf names whose fields are dates; in the contracts they are int64 nanoseconds since the epoch.
    private static readonly FrozenSet<string> DateFieldNames =
        new[] { "timestamp", "ingested", "start", "end", "created", "mtime", "ctime", "accessed" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<MessageDescriptor, FrozenDictionary<string, FieldDescriptor>> FieldsByKey = new();

    /// <summary>The key a field is written under: <c>@timestamp</c> and <c>Ext</c> are the two ECS spellings proto cannot have.</summary>
    public static string KeyOf(FieldDescriptor field) => field.Name switch
    {
        "timestamp" => "@timestamp",
        "ext" when field.FieldType == FieldType.Message => "Ext",
        var name => name,
    };

    /// <summary>
    /// True for int64 fields that ECS defines as dates; they are written as ISO-8601 text. Vigil's own <c>*_time</c>
    /// fields (an alert's first_event_time, detection_time...) are nanosecond times too, so JSON gives them as
    /// ISO-8601 text like every other date rather than as integers no reader can take in.
    /// </summary>
    public static bool IsDate(FieldDescriptor field) =>
        field.FieldType == FieldType.Int64 && !field.IsRepeated
        && (DateFieldNames.Contains(field.Name) || field.Name.EndsWith("_time", StringComparison.Ordinal));

    /// <summary>Finds the field a key names, case-insensitively (so <c>Ext</c> and <c>ext</c> both work); null when unknown.</summary>
    public static FieldDescriptor? Find(MessageDescriptor message, string key) =>
        FieldsByKey.GetOrAdd(message, BuildIndex).GetValueOrDefault(key);

    private static FrozenDictionary<string, FieldDescriptor> BuildIndex(MessageDescriptor message)
    {
        var index = new Dictionary<string, FieldDescriptor>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            index[field.Name] = field;
            index[KeyOf(field)] = field;
        }

        return index.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
