using Vigil.Contracts.Alerts;
using Vigil.Contracts.Baseline;

namespace Vigil.Baseline;

/// <summary>An alert the baseline raised, with the explanation ExplainAlert returns for it later.</summary>
public sealed record BaselineDetection(ProcessImage Image, Alert Alert, AlertExplanation Explanation);
