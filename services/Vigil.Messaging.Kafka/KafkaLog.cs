using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Vigil.Messaging.Kafka;

/// <summary>Maps librdkafka's syslog levels onto logging levels.</summary>
internal static class KafkaLog
{
    public static LogLevel Level(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    /// <summary>A throttling key for a librdkafka line: its facility and text without digits (ports, times, counts vary).</summary>
    public static string Key(string facility, string message) =>
        facility + ":" + string.Concat(message.Where(c => !char.IsAsciiDigit(c)));

    /// <summary>The tail of a throttled line saying how many like it were held back.</summary>
    public static string Suppressed(long count) => count > 0 ? $" ({count} similar since the last line)" : string.Empty;
}
