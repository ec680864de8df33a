using Vigil.Contracts.Alerts;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>An alert about to be published, with what suppresses its repeats (rule + join key values, when the rule has a window).</summary>
public sealed record PendingAlert(CompiledRule Rule, Alert Alert, string? SuppressionKey);
