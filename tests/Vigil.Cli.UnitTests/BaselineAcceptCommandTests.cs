namespace Vigil.Cli.UnitTests;

public sealed class BaselineAcceptCommandTests
{
    [Fact]
    public async Task AnAcceptWithoutAReasonSaysTheReasonIsRequired()
    {
        var errors = new StringWriter();
        var previous = Console.Error;
        Console.SetError(errors);
        try
        {
            var exitCode = await BaselineCommand.AcceptAsync(CliArguments.Parse(["baseline", "accept", "com.apple.curl", "tcp/443/tls"]), new StringWriter(), terminal: null);

            Assert.Equal(2, exitCode);
        }
        finally
        {
            Console.SetError(previous);
        }

        Assert.Contains("--reason is required", errors.ToString(), StringComparison.Ordinal);
    }
}
