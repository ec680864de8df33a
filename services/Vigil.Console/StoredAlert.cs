using Vigil.Contracts.Alerts;

namespace Vigil.Console;

/// <summary>An alert as the console keeps it: the alert itself and its triage state.</summary>
public sealed record StoredAlert(Alert Alert, TriageState Triage);
