using System.Runtime.CompilerServices;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>
/// Identifies one rule's sequence state for one host: by rule id, rule fingerprint (the hash of the compiled query
/// text, so an edited rule never reads a state its old text wrote) and host id. Equality is the rule by reference (one
/// object per loaded rule) and the host id by ordinal, with the hash computed once: a lookup never hashes rule text.
/// <see cref="Member"/> is its one spelling as a string, used wherever a state is named outside the process (the held
/// set in Redis).
/// </summary>
public sealed class StateKey : IEquatable<StateKey>
{
    /// <summary>Separates the parts of <see cref="Member"/>: cannot occur in a rule id or fingerprint.</summary>
    public const char Separator = '\u001f';

    private readonly int hash;
    private string? member;
    private (CorrelatorKeys Namer, StackExchange.Redis.RedisKey Name)? stored;

    public StateKey(CompiledRule rule, string hostId)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(hostId);
        Rule = rule;
        HostId = hostId;
        hash = HashCode.Combine(RuntimeHelpers.GetHashCode(rule), StringComparer.Ordinal.GetHashCode(hostId));
    }

    public CompiledRule Rule { get; }

    public string HostId { get; }

    public string RuleId => Rule.RuleId;

    public string Fingerprint => Rule.Query.Fingerprint;

    /// <summary><c>rule id ␟ fingerprint ␟ host id</c>.</summary>
    public string Member => member ??= RuleTag(Rule) + Separator + HostId;

    /// <summary>The rule part of a member: <c>rule id ␟ fingerprint</c>.</summary>
    public static string RuleTag(CompiledRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.RuleId + Separator + rule.Query.Fingerprint;
    }

    /// <summary>
    /// The key a <paramref name="member"/> names, when its rule (by id and fingerprint) is among <paramref name="rules"/>
    /// (keyed by <see cref="RuleTag"/>); null for a rule no longer loaded or since edited: it has no state to act on.
    /// </summary>
    public static StateKey? Parse(string member, IReadOnlyDictionary<string, CompiledRule> rules)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(rules);
        // Rule ids and fingerprints hold no separator, so the second one ends the rule part whatever the host id holds.
        var first = member.IndexOf(Separator, StringComparison.Ordinal);
        var split = first < 0 ? -1 : member.IndexOf(Separator, first + 1);
        return split > 0 && rules.TryGetValue(member[..split], out var rule) ? new StateKey(rule, member[(split + 1)..]) : null;
    }

    /// <summary>The state's Redis key as <paramref name="namer"/> last named it through this key object, if it did.</summary>
    internal bool TryGetStoredName(CorrelatorKeys namer, out StackExchange.Redis.RedisKey name)
    {
        if (stored is { } known && ReferenceEquals(known.Namer, namer))
        {
            name = known.Name;
            return true;
        }

        name = default;
        return false;
    }

    /// <summary>Remembers the state's Redis key, so a state written every batch does not build its name every batch.</summary>
    internal StackExchange.Redis.RedisKey RememberStoredName(CorrelatorKeys namer, StackExchange.Redis.RedisKey name)
    {
        stored = (namer, name);
        return name;
    }

    public bool Equals(StateKey? other) =>
        other is not null && hash == other.hash && ReferenceEquals(Rule, other.Rule) && string.Equals(HostId, other.HostId, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is StateKey other && Equals(other);

    public override int GetHashCode() => hash;

    public override string ToString() => $"{RuleId}/{HostId}";
}
