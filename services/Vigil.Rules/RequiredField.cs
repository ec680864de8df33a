namespace Vigil.Rules;

/// <summary>One <c>required_fields</c> entry: a field the rule's author says the query needs, with its Elasticsearch type.</summary>
public sealed record RequiredField(string Name, string? Type, bool? Ecs);
