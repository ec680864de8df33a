using Vigil.Cli;

var parsed = CliArguments.Parse(args);
return parsed.Words switch
{
    ["telemetry", "tail"] => await TailCommand.TelemetryAsync(parsed),
    ["alerts", "tail"] => await TailCommand.AlertsAsync(parsed),
    ["rules", "check", var path] => await RulesCheckCommand.RunAsync(path, Console.Out, Console.Error),
    ["backtest"] => await BacktestCommand.RunAsync(parsed, Console.In, Console.Out, Console.Error),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage:");
    Console.Error.WriteLine($"  {TailCommand.TelemetryUsage}");
    Console.Error.WriteLine($"  {TailCommand.AlertsUsage}");
    Console.Error.WriteLine($"  {BacktestCommand.Usage}");
    Console.Error.WriteLine($"  {RulesCheckCommand.Usage}");
    return 2;
}
