namespace Vigil.Rules;

/// <summary>Which exception removed an event: a [vigil] entry (by description) or a Kibana exception list item.</summary>
/// <param name="Name">"[vigil] description" or "list_id/item_id: item name", what operators see in counts.</param>
public sealed record ExceptionHit(string Name);
