using Vigil.Cli;

var parsed = CliArguments.Parse(args);
return parsed.Words switch
{
    ["telemetry", "tail"] => await TailCommand.TelemetryAsync(parsed),
    ["alerts", "tail"] => await TailCommand.AlertsAsync(parsed),
    ["topics", "apply"] => await TopicsApplyCommand.RunAsync(parsed, Console.Out, Console.Error),
    ["health", var url] => await HealthCommand.RunAsync(url, parsed, Console.Out, Console.Error),
    ["rules", "check", var path] => await RulesCheckCommand.RunAsync(path, parsed, Console.Out, Console.Error),
    ["backtest"] => await BacktestCommand.RunAsync(parsed, Console.In, Console.Out, Console.Error),
    ["baseline", "show", ..] => await BaselineCommand.ShowAsync(parsed, Console.Out),
    ["baseline", "list"] => await BaselineCommand.ListAsync(parsed, Console.Out),
    ["baseline", "explain", ..] => await BaselineCommand.ExplainAsync(parsed, Console.Out),
    ["baseline", "accept", ..] => await BaselineCommand.AcceptAsync(parsed, Console.Out, Console.IsInputRedirected ? null : Console.In),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage:");
    Console.Error.WriteLine($"  {TailCommand.TelemetryUsage}");
    Console.Error.WriteLine($"  {TailCommand.AlertsUsage}");
    Console.Error.WriteLine($"  {TopicsApplyCommand.Usage}");
    Console.Error.WriteLine($"  {HealthCommand.Usage}");
    Console.Error.WriteLine($"  {BacktestCommand.Usage}");
    Console.Error.WriteLine($"  {RulesCheckCommand.Usage}");
    Console.Error.WriteLine($"  {BaselineCommand.ShowUsage}");
    Console.Error.WriteLine($"  {BaselineCommand.ListUsage}");
    Console.Error.WriteLine($"  {BaselineCommand.ExplainUsage}");
    Console.Error.WriteLine($"  {BaselineCommand.AcceptUsage}");
    Console.Error.WriteLine($"    {BaselineCommand.TlsUsage}");
    return 2;
}
