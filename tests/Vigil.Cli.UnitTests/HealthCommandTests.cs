using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Vigil.Cli.UnitTests;

public sealed class HealthCommandTests : IAsyncLifetime
{
    private readonly StringWriter output = new();
    private readonly StringWriter errors = new();
    private WebApplication? server;
    private string baseUrl = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        server = builder.Build();
        server.MapGet("/health/ready", () => Results.Text("Healthy"));
        server.MapGet("/health/starting", () => Results.Text("Unhealthy", statusCode: 503));
        server.MapGet("/slow", async (HttpContext context) =>
        {
            // Ends when the client gives up, so stopping the server does not wait for it.
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.Text("late");
        });
        await server.StartAsync();
        baseUrl = server.Urls.Single();
    }

    [Fact]
    public async Task AHealthyEndpointExitsWithZeroAndShowsTheAnswer()
    {
        Assert.Equal(0, await Run($"{baseUrl}/health/ready"));
        Assert.Contains("200 OK Healthy", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnhealthyAnswerExitsWithOne()
    {
        Assert.Equal(1, await Run($"{baseUrl}/health/starting"));
        Assert.Contains("503 Service Unavailable Unhealthy", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NobodyListeningExitsWithOne()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        Assert.Equal(1, await Run($"http://127.0.0.1:{port}/health/live"));
        Assert.Contains("unreachable", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAnswerSlowerThanTheTimeoutExitsWithOne()
    {
        Assert.Equal(1, await Run($"{baseUrl}/slow", "--timeout", "300ms"));
        Assert.Contains("no answer within 0.3s", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/health")]
    public async Task SomethingOtherThanAnHttpUrlIsBadUsage(string url)
    {
        Assert.Equal(2, await Run(url));
        Assert.Contains(HealthCommand.Usage, errors.ToString(), StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.StopAsync();
            await server.DisposeAsync();
        }

        output.Dispose();
        errors.Dispose();
    }

    private Task<int> Run(string url, params string[] options) =>
        HealthCommand.RunAsync(url, CliArguments.Parse(["health", url, .. options]), output, errors);
}
