namespace Vigil.Console;

/// <summary>A /metrics endpoint to scrape and the name the pages show for it ("correlator-an0167=http://127.0.0.1:8080/metrics").</summary>
public sealed record MetricsTarget(string Name, Uri Url)
{
    public static MetricsTarget? TryParse(string text)
    {
        var split = text.IndexOf('=', StringComparison.Ordinal);
        var name = split > 0 ? text[..split].Trim() : string.Empty;
        var url = split > 0 ? text[(split + 1)..].Trim() : text.Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        return new MetricsTarget(name.Length > 0 ? name : uri.Authority, uri);
    }
}
