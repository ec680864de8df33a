namespace Vigil.Cli;

/// <summary>
/// `vigil health <url>`: GETs a health endpoint and exits 0 on a 2xx answer, 1 otherwise. Vigil's images have
/// no shell or curl, so container health checks run this.
/// </summary>
public static class HealthCommand
{
    public const string Usage = "vigil health <http://host:port/health/ready> [--timeout <duration, default 3s>]";

    private static readonly string[] Known = ["timeout"];

    public static async Task<int> RunAsync(string url, CliArguments args, TextWriter output, TextWriter errors)
    {
        var timeout = TimeSpan.FromSeconds(3);
        var problem = args.UnknownOptions(Known).FirstOrDefault() is { } unknown ? $"Unknown option --{unknown}."
            : args.Flag("timeout") && !CliDuration.TryParse(args.Option("timeout"), out timeout) ? $"--timeout must be a duration such as 3s, not '{args.Option("timeout")}'."
            : !Uri.TryCreate(url, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps) ? $"'{url}' is not an http(s) URL."
            : null;
        if (problem is not null)
        {
            await errors.WriteLineAsync(problem);
            await errors.WriteLineAsync($"Usage: {Usage}");
            return 2;
        }

        using var http = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await http.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            await output.WriteLineAsync($"{url}: {(int)response.StatusCode} {response.ReasonPhrase} {Shorten(body)}".TrimEnd());
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (HttpRequestException e)
        {
            await output.WriteLineAsync($"{url}: unreachable: {e.Message}");
            return 1;
        }
        catch (TaskCanceledException)
        {
            await output.WriteLineAsync($"{url}: no answer within {timeout.TotalSeconds:0.###}s");
            return 1;
        }
    }

    private static string Shorten(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "...";
    }
}
