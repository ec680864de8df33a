using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vigil.ServiceDefaults;

/// <summary>
/// A configured value the configuration binder cannot convert (--Redis:Mode=clustr, --Redis:ConnectTimeout=5s) stops
/// the binder with an exception of its own, before any options validation runs, and a service with a stack trace.
/// Here that exception becomes the options' validation failure, one line naming the key, the value and what the key
/// takes, which every service prints as its configuration error and exits 2 on.
/// </summary>
public static partial class UnreadableSettings
{
    /// <summary>
    /// Makes every options class the container builds report a value the binder cannot convert as an
    /// <see cref="OptionsValidationException"/> (see <see cref="Describe"/>). Idempotent; registered by
    /// <see cref="ServiceDefaultsExtensions.AddVigilConfiguration"/> and by the libraries that bind their own sections.
    /// </summary>
    public static IServiceCollection AddUnreadableSettingsAsErrors(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(IOptionsFactory<>) && d.ImplementationType == typeof(ReadingOptionsFactory<>)))
        {
            // Replaces the default factory (AddOptions only adds its own when none is registered).
            services.Replace(ServiceDescriptor.Transient(typeof(IOptionsFactory<>), typeof(ReadingOptionsFactory<>)));
        }

        return services;
    }

    /// <summary>
    /// Binds <paramref name="section"/> of <paramref name="configuration"/> to a new <typeparamref name="T"/>, as
    /// <c>GetSection(section).Get&lt;T&gt;()</c> does, for options read before the container exists; a value that cannot
    /// be converted throws the <see cref="OptionsValidationException"/> a service prints as its configuration error.
    /// </summary>
    public static T Read<T>(IConfiguration configuration, string section)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e) when (Describe(e) is { } problem)
        {
            throw new OptionsValidationException(section, typeof(T), [problem]);
        }
    }

    /// <summary>
    /// The one line for the binder's failure to convert a value, e.g. "Redis:Mode: 'clustr' is not one of Standalone,
    /// Cluster."; null when <paramref name="exception"/> is some other failure.
    /// </summary>
    public static string? Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is not InvalidOperationException || FailedConversion().Match(exception.Message) is not { Success: true } match)
        {
            return null;
        }

        var value = match.Groups["value"].Value;
        var path = match.Groups["path"].Value;
        var typeName = match.Groups["type"].Value;
        return $"{path}: '{value}' is not {Expected(FindType(typeName), typeName)}.";
    }

    /// <summary>What a key of <paramref name="type"/> takes, as the end of "'value' is not ...".</summary>
    internal static string Expected(Type? type, string typeName)
    {
        if (type is null)
        {
            return $"a {typeName}";
        }

        if (type.IsEnum)
        {
            return $"one of {string.Join(", ", Enum.GetNames(type))}";
        }

        if (type == typeof(TimeSpan))
        {
            return "a duration written as [d.]hh:mm:ss[.fff], e.g. 00:00:05 for five seconds";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
            || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte))
        {
            var min = Convert.ToString(type.GetField("MinValue")!.GetValue(null), CultureInfo.InvariantCulture);
            var max = Convert.ToString(type.GetField("MaxValue")!.GetValue(null), CultureInfo.InvariantCulture);
            return $"a whole number from {min} to {max}";
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return "a number (with . for a decimal point)";
        }

        if (type == typeof(Uri))
        {
            return "a URI";
        }

        return $"a valid {type.Name}";
    }

    private static Type? FindType(string name) =>
        Type.GetType(name, throwOnError: false)
        ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name, throwOnError: false)).FirstOrDefault(t => t is not null);

    // Microsoft.Extensions.Configuration.Binder's Error_FailedBinding (the value is quoted as given, so it may hold quotes).
    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<path>[^']+)' to type '(?<type>[^']+)'\.$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex FailedConversion();

    /// <summary>The default options factory, with the binder's conversion failure turned into a validation failure.</summary>
    private sealed class ReadingOptionsFactory<TOptions>(
        IEnumerable<IConfigureOptions<TOptions>> setups,
        IEnumerable<IPostConfigureOptions<TOptions>> postConfigures,
        IEnumerable<IValidateOptions<TOptions>> validations) : IOptionsFactory<TOptions>
        where TOptions : class
    {
        private readonly OptionsFactory<TOptions> inner = new(setups, postConfigures, validations);

        public TOptions Create(string name)
        {
            try
            {
                return inner.Create(name);
            }
            catch (InvalidOperationException e) when (Describe(e) is { } problem)
            {
                throw new OptionsValidationException(name, typeof(TOptions), [problem]);
            }
        }
    }
}
