using Microsoft.Extensions.Options;
using Vigil.Console;
using Vigil.ServiceDefaults;

// vigil-console [--urls http://127.0.0.1:7420] [--baseline http://127.0.0.1:7411] [--metrics name=url ...]
try
{
    await using var app = ConsoleApp.Build(args);
    app.ValidateSettings();
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    // Settings that cannot work: say which and exit 2, as the other services do for configuration errors.
    System.Console.Error.WriteLine($"vigil-console: configuration error: {string.Join(" ", e.Failures)}");
    System.Console.Error.WriteLine($"Usage: {ConsoleApp.Usage}");
    return 2;
}
