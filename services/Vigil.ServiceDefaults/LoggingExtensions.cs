using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Vigil.ServiceDefaults;

/// <summary>Log output of Vigil processes: one JSON object per line by default, or single-line text for people.</summary>
public static class LoggingExtensions
{
    /// <summary>Configuration key choosing the format: "json" (default) or "simple".</summary>
    public const string FormatKey = "Vigil:LogFormat";

    /// <summary>Configuration key sending every log line to stderr, for tools whose stdout is their output.</summary>
    public const string StderrKey = "Vigil:LogToStderr";

    public static IHostApplicationBuilder AddVigilLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        var simple = string.Equals(builder.Configuration[FormatKey], "simple", StringComparison.OrdinalIgnoreCase);
        if (string.Equals(builder.Configuration[StderrKey], "true", StringComparison.OrdinalIgnoreCase))
        {
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }

        if (simple)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.IncludeScopes = true;
            });
        }

        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.None);
        builder.Logging.AddFilter<ConsoleLoggerProvider>("Microsoft.AspNetCore", LogLevel.Warning);
        return builder;
    }
}
