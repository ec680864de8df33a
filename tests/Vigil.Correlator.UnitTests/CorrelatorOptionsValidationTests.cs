namespace Vigil.Correlator.UnitTests;

public sealed class CorrelatorOptionsValidationTests
{
    [Fact]
    public void ANegativeAssignmentPreloadLimitIsRefusedAtStartNamingItsKey()
    {
        var result = new CorrelatorOptionsValidation().Validate(null, new CorrelatorOptions { Analytic = "an0167", AssignmentPreloadLimit = -1 });

        Assert.True(result.Failed);
        Assert.Contains("Correlator:AssignmentPreloadLimit", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAssignmentPreloadLimitOfZeroLoadsNothingAndIsAccepted()
    {
        var result = new CorrelatorOptionsValidation().Validate(null, new CorrelatorOptions { Analytic = "an0167", AssignmentPreloadLimit = 0 });

        Assert.True(result.Succeeded);
    }
}
