namespace Vigil.Rules.UnitTests;

/// <summary>
/// The rule's schedule (Elastic's interval and from, with their defaults) and the [vigil] keys that bound a rule's
/// streaming state: sequence_span, max_pending_keys, max_state_bytes.
/// </summary>
public sealed class ScheduleAndLimitsTests
{
    private static RuleLoadResult Load(string ruleExtra, string vigil = "") => RuleLoader.Parse($$"""
        [rule]
        rule_id = "6b3c7e7e-0f3a-4c43-9d0b-5a0c1f7b8a11"
        name = "Curl after a shell"
        description = "A shell then curl by the same process."
        risk_score = 47
        severity = "medium"
        type = "eql"
        language = "eql"
        {{ruleExtra}}
        query = '''
        sequence by process.entity_id
          [process where process.name == "bash"]
          [process where process.name == "curl"]
        '''
        {{vigil}}
        """, "rule.toml");

    [Fact]
    public void ARuleWithoutFromOrIntervalGetsElasticsDefaults()
    {
        var rule = Assert.Single(Load(string.Empty).Rules);

        Assert.Equal(TimeSpan.FromMinutes(5), rule.Schedule.Interval);
        Assert.Equal(TimeSpan.FromMinutes(6), rule.Schedule.LookBack);
    }

    [Fact]
    public void FromIsReadAsTheLookBackOfEachRun()
    {
        var rule = Assert.Single(Load("from = \"now-9m\"\ninterval = \"5m\"").Rules);

        Assert.Equal(TimeSpan.FromMinutes(9), rule.Schedule.LookBack);
        Assert.Equal(TimeSpan.FromMinutes(5), rule.Schedule.Interval);
    }

    [Theory]
    [InlineData("from = \"9m\"", "from \"9m\" is not date math Vigil reads: expected \"now-\" and a duration")]
    [InlineData("from = \"now-9x\"", "from \"now-9x\" is not date math")]
    [InlineData("interval = \"soon\"", "interval \"soon\" is not a duration")]
    public void AScheduleThatIsNotElasticsFormFailsAtItsLine(string line, string message)
    {
        var error = Assert.Single(Load(line).Errors);

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("rule.toml:9:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void VigilSettingsBoundTheRulesStreamingState()
    {
        var rule = Assert.Single(Load(string.Empty, "[vigil]\nsequence_span = \"1h\"\nmax_pending_keys = 500\nmax_state_bytes = 65536").Rules);

        Assert.Equal(TimeSpan.FromHours(1), rule.Vigil.SequenceSpan);
        Assert.Equal(500, rule.Vigil.MaxPendingKeys);
        Assert.Equal(65536, rule.Vigil.MaxStateBytes);
    }

    [Fact]
    public void AStateLimitBelowOneIsRejected()
    {
        var error = Assert.Single(Load(string.Empty, "[vigil]\nmax_pending_keys = 0").Errors);

        Assert.Contains("max_pending_keys must be a whole number from 1", error.ToString(), StringComparison.Ordinal);
    }
}
