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
}
