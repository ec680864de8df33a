using Vigil.FleetSim.Cli;

return await FleetSimCommand.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
