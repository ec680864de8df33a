namespace Vigil.Benchmarks;

/// <summary>
/// The topology part's steps: every service at once, the bare consumer alone, and each service alone at
/// <see cref="AloneRate"/> (the bare consumer's highest sustained rate, unless set).
/// </summary>
internal sealed record TopologyRun(
    List<RateStep> Steps,
    List<RateStep> BareSteps,
    List<RateStep> AloneSteps,
    int? AloneRate);
