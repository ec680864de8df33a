using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>What a completed match became: allowed by an operator exception, or an alert waiting for the repeat checks.</summary>
public sealed record MatchVerdict(RuleException? AllowedBy, PendingAlert? Alert);
