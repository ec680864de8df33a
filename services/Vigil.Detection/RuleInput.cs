namespace Vigil.Detection;

/// <summary>What a rule makes of one event before its engine runs (see <see cref="CompiledRule.Admit"/>).</summary>
public enum RuleInput
{
    /// <summary>No step of the query can use the event: it costs the rule nothing.</summary>
    Irrelevant,

    /// <summary>An exception removes the event: the rule's state never sees it.</summary>
    Excepted,

    /// <summary>The event goes to the rule's engine.</summary>
    Admitted,
}
