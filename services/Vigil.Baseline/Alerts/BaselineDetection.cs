using Vigil.Baseline.Identity;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Baseline;

namespace Vigil.Baseline.Alerts;

/// <summary>An alert the baseline raised, with the explanation ExplainAlert returns for it later.</summary>
public sealed record BaselineDetection(ProcessImage Image, Alert Alert, AlertExplanation Explanation);
