namespace Vigil.Rules;

/// <summary>What alert suppression does with alerts that lack a group_by field (Elastic's missing_fields_strategy).</summary>
public enum MissingFieldsStrategy
{
    /// <summary>"suppress": a missing field counts as a null value, so such alerts group together.</summary>
    Suppress,

    /// <summary>"doNotSuppress": an alert missing any group_by field is never suppressed.</summary>
    DoNotSuppress,
}
