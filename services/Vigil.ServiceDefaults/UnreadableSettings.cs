using System.Globalization;
using System.Reflection;
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
        T options;
        try
        {
            options = configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e) when (Describe(e) is { } problem)
        {
            throw new OptionsValidationException(section, typeof(T), [problem]);
        }

        return UndefinedEnumValues(options, section) is { Count: > 0 } problems ? throw new OptionsValidationException(section, typeof(T), problems) : options;
    }

    /// <summary>
    /// The settings of <paramref name="options"/> (read from <paramref name="section"/>) holding a number no member of
    /// their enum has (for a [Flags] enum: a bit no member has): the binder takes "--Redis:Mode=7" as readily as
    /// "--Redis:Mode=Cluster", and a service would then run with a mode no code path expects. One line per key, as for a
    /// value the binder cannot convert. Settable enum properties are checked, in nested option objects too; a value equal
    /// to the property's default (a fresh instance's) is left alone, whatever it is. Not checked: enums inside lists or
    /// dictionaries, and options classes without a <c>Section</c> constant (the key could not be named).
    /// </summary>
    internal static List<string> UndefinedEnumValues(object options, string section)
    {
        var problems = new List<string>();
        Walk(options, section, depth: 0);
        return problems;

        void Walk(object value, string path, int depth)
        {
            object? fresh = null;
            var freshMade = false;
            foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!property.CanRead || property.GetIndexParameters().Length > 0)
                {
                    continue;
                }

                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (type.IsEnum)
                {
                    // What the binder sets: properties with a public setter (init included).
                    if (property.SetMethod is not { IsPublic: true } || property.GetValue(value) is not { } member || IsMember(type, member))
                    {
                        continue;
                    }

                    if (!freshMade)
                    {
                        freshMade = true;
                        fresh = value.GetType().GetConstructor(Type.EmptyTypes) is null ? null : Activator.CreateInstance(value.GetType());
                    }

                    if (fresh is not null && Equals(property.GetValue(fresh), member))
                    {
                        continue;
                    }

                    var number = Convert.ToString(Convert.ChangeType(member, Enum.GetUnderlyingType(type), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                    problems.Add($"{path}:{property.Name}: '{number}' is not {Expected(type, type.Name)}.");
                }
                else if (depth < 4 && type.IsClass && type.Namespace?.StartsWith("Vigil", StringComparison.Ordinal) == true && property.GetValue(value) is { } nested)
                {
                    Walk(nested, $"{path}:{property.Name}", depth + 1);
                }
            }
        }
    }

    /// <summary>True when <paramref name="value"/> is a member of <paramref name="type"/>, or for a [Flags] enum a combination of its members' bits.</summary>
    private static bool IsMember(Type type, object value)
    {
        if (!type.IsDefined(typeof(FlagsAttribute), inherit: false))
        {
            return Enum.IsDefined(type, value);
        }

        var all = 0UL;
        foreach (var member in Enum.GetValuesAsUnderlyingType(type))
        {
            all |= Convert.ToUInt64(member, CultureInfo.InvariantCulture);
        }

        return (Bits(value) & ~all) == 0;

        static ulong Bits(object value) => Type.GetTypeCode(Enum.GetUnderlyingType(value.GetType())) switch
        {
            TypeCode.SByte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => unchecked((ulong)Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            _ => Convert.ToUInt64(value, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The configuration section an options class declares as its <c>Section</c> constant; null when it declares none.</summary>
    private static string? SectionOf(Type type) =>
        type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field ? field.GetRawConstantValue() as string : null;

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
            return type.IsDefined(typeof(FlagsAttribute), inherit: false)
                ? $"a combination of {string.Join(", ", Enum.GetNames(type))}"
                : $"one of {string.Join(", ", Enum.GetNames(type))}";
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

    /// <summary>
    /// The default options factory, with the binder's conversion failure and an enum setting no member has turned into
    /// validation failures. Those are found before the validators run (a validator may switch on the enum), and stop
    /// there: the options' other checks would read values that are not what was configured.
    /// </summary>
    private sealed class ReadingOptionsFactory<TOptions>(
        IEnumerable<IConfigureOptions<TOptions>> setups,
        IEnumerable<IPostConfigureOptions<TOptions>> postConfigures,
        IEnumerable<IValidateOptions<TOptions>> validations) : IOptionsFactory<TOptions>
        where TOptions : class
    {
        private readonly OptionsFactory<TOptions> binding = new(setups, postConfigures, []);
        private readonly IValidateOptions<TOptions>[] validations = [.. validations];

        public TOptions Create(string name)
        {
            TOptions options;
            try
            {
                options = binding.Create(name);
            }
            catch (InvalidOperationException e) when (Describe(e) is { } problem)
            {
                throw new OptionsValidationException(name, typeof(TOptions), [problem]);
            }

            // A number where an enum's name belongs, named by the key: only for options that declare their section.
            if (SectionOf(typeof(TOptions)) is { } section && UndefinedEnumValues(options, section) is { Count: > 0 } problems)
            {
                throw new OptionsValidationException(name, typeof(TOptions), problems);
            }

            // The validators, as OptionsFactory runs them: every failure of every validator, in one exception.
            var failures = new List<string>();
            foreach (var validation in this.validations)
            {
                if (validation.Validate(name, options) is { Failed: true } result)
                {
                    failures.AddRange(result.Failures ?? [result.FailureMessage]);
                }
            }

            return failures.Count > 0 ? throw new OptionsValidationException(name, typeof(TOptions), failures) : options;
        }
    }
}
