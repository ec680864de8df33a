namespace Vigil.Rules;

/// <summary>One <c>related_integrations</c> entry: the Elastic integration package (and version range) the rule's data comes from.</summary>
public sealed record RelatedIntegration(string Package, string? Integration, string? Version);
