using System.Net;
using Microsoft.AspNetCore.Http;
using Vigil.Baseline.Api;

namespace Vigil.Baseline.UnitTests;

public sealed class ChangeAuthorizationTests : IDisposable
{
    private readonly string tokenFile = Path.GetTempFileName();

    [Fact]
    public void WithoutATokenOnlyLoopbackCallersMayChangeTheBaseline()
    {
        var authorization = new ChangeAuthorization(new BaselineOptions());

        Assert.True(authorization.Allows(Call("127.0.0.1")));
        Assert.True(authorization.Allows(Call("::1")));
        Assert.True(authorization.Allows(Call("::ffff:127.0.0.1")));
        Assert.False(authorization.Allows(Call("10.1.2.3")));
        Assert.False(authorization.Allows(Call("10.1.2.3", "Bearer anything-at-all-here")));
    }

    [Fact]
    public void WithATokenRemoteCallersMayChangeTheBaselineOnlyByPresentingIt()
    {
        File.WriteAllText(tokenFile, "  s3cret-change-token-0123456789\n");
        var options = new BaselineOptions { ChangeTokenFile = tokenFile };
        var authorization = new ChangeAuthorization(options);

        Assert.Empty(options.Validate());
        Assert.True(authorization.Allows(Call("10.1.2.3", "Bearer s3cret-change-token-0123456789")));
        Assert.True(authorization.Allows(Call("10.1.2.3", "bearer s3cret-change-token-0123456789")));
        Assert.False(authorization.Allows(Call("10.1.2.3", "Bearer s3cret-change-token-012345678")));
        Assert.False(authorization.Allows(Call("10.1.2.3", "s3cret-change-token-0123456789")));
        Assert.False(authorization.Allows(Call("10.1.2.3")));
    }

    [Fact]
    public void BehindASidecarLoopbackCallersNeedTheTokenToo()
    {
        File.WriteAllText(tokenFile, "s3cret-change-token-0123456789");
        var authorization = new ChangeAuthorization(new BaselineOptions { ChangeTokenFile = tokenFile, AllowLoopbackChanges = false });

        Assert.False(authorization.Allows(Call("127.0.0.1")));
        Assert.True(authorization.Allows(Call("127.0.0.1", "Bearer s3cret-change-token-0123456789")));
    }

    [Fact]
    public void AMissingOrShortTokenFileIsAConfigurationError()
    {
        File.WriteAllText(tokenFile, "short");

        Assert.Contains(new BaselineOptions { ChangeTokenFile = tokenFile }.Validate(), e => e.StartsWith("Baseline:ChangeTokenFile", StringComparison.Ordinal));
        Assert.Contains(new BaselineOptions { ChangeTokenFile = tokenFile + ".missing" }.Validate(), e => e.StartsWith("Baseline:ChangeTokenFile", StringComparison.Ordinal));
    }

    public void Dispose() => File.Delete(tokenFile);

    private static DefaultHttpContext Call(string remote, string? authorization = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context;
    }
}
