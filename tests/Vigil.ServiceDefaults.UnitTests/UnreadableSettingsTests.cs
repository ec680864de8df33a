using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vigil.ServiceDefaults;

namespace Vigil.ServiceDefaults.UnitTests;

/// <summary>A value that cannot be read as its setting's type is named on one line with what the setting takes.</summary>
public sealed class UnreadableSettingsTests
{
    public enum Flavour
    {
        Plain,
        Salted,
    }

    public enum Level
    {
        Low = 1,
        High = 2,
    }

    [Flags]
    public enum Sides
    {
        None = 0,
        Left = 1,
        Right = 2,
    }

    public sealed class Limits
    {
        public int MaxBatchSize { get; set; } = 10;

        public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromSeconds(1);

        public Flavour Topping { get; set; }
    }

    public sealed class SampleOptions
    {
        public const string Section = "Sample";

        public Flavour Flavour { get; set; }

        public Flavour? Fallback { get; set; }

        public Level Level { get; set; } = Level.Low;

        public Sides Sides { get; set; }

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

        public int Retries { get; set; }

        public long Budget { get; set; }

        public double Ratio { get; set; }

        public bool Ssl { get; set; }

        public Limits Consumer { get; set; } = new();

        public List<TimeSpan> Delays { get; set; } = [];
    }

    public static TheoryData<string, string, string> Mistakes() => new()
    {
        { "Sample:Flavour", "spicy", "Sample:Flavour: 'spicy' is not one of Plain, Salted." },
        { "Sample:Fallback", "spicy", "Sample:Fallback: 'spicy' is not one of Plain, Salted." },
        { "Sample:Timeout", "5s", "Sample:Timeout: '5s' is not a duration written as [d.]hh:mm:ss[.fff], e.g. 00:00:05 for five seconds." },
        { "Sample:Retries", "lots", "Sample:Retries: 'lots' is not a whole number from -2147483648 to 2147483647." },
        { "Sample:Retries", "99999999999", "Sample:Retries: '99999999999' is not a whole number from -2147483648 to 2147483647." },
        { "Sample:Budget", "1.5", "Sample:Budget: '1.5' is not a whole number from -9223372036854775808 to 9223372036854775807." },
        { "Sample:Ratio", "half", "Sample:Ratio: 'half' is not a number (with . for a decimal point)." },
        { "Sample:Ssl", "yes", "Sample:Ssl: 'yes' is not true or false." },
        { "Sample:Consumer:MaxBatchSize", "lots", "Sample:Consumer:MaxBatchSize: 'lots' is not a whole number from -2147483648 to 2147483647." },
        { "Sample:Consumer:MaxBatchWait", "soon", "Sample:Consumer:MaxBatchWait: 'soon' is not a duration written as [d.]hh:mm:ss[.fff], e.g. 00:00:05 for five seconds." },
        { "Sample:Flavour", "it's 'hot'", "Sample:Flavour: 'it's 'hot'' is not one of Plain, Salted." },
        // A number the binder takes for an enum, though no member has it.
        { "Sample:Flavour", "7", "Sample:Flavour: '7' is not one of Plain, Salted." },
        { "Sample:Fallback", "-1", "Sample:Fallback: '-1' is not one of Plain, Salted." },
        { "Sample:Consumer:Topping", "9", "Sample:Consumer:Topping: '9' is not one of Plain, Salted." },
        // 0 where no member has it and the default is another.
        { "Sample:Level", "0", "Sample:Level: '0' is not one of Low, High." },
        // A bit no member of a [Flags] enum has.
        { "Sample:Sides", "64", "Sample:Sides: '64' is not a combination of None, Left, Right." },
        { "Sample:Sides", "Left, Up", "Sample:Sides: 'Left, Up' is not a combination of None, Left, Right." },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void AnUnreadableValueFailsValidationNamingTheFullKeyTheValueAndWhatTheKeyTakes(string key, string value, string expected)
    {
        using var provider = Services(new() { [key] = value });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SampleOptions>>().Value);

        Assert.Equal(expected, Assert.Single(e.Failures));
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void AnUnreadableValueReadBeforeTheContainerExistsFailsTheSameWay(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var e = Assert.Throws<OptionsValidationException>(() => UnreadableSettings.Read<SampleOptions>(configuration, "Sample"));

        Assert.Equal(expected, Assert.Single(e.Failures));
    }

    [Fact]
    public void ReadableValuesBindAsBefore()
    {
        using var provider = Services(new()
        {
            ["Sample:Flavour"] = "salted",
            ["Sample:Fallback"] = string.Empty,
            ["Sample:Timeout"] = "00:00:30",
            ["Sample:Ssl"] = "True",
            ["Sample:Consumer:MaxBatchSize"] = "500",
            ["Sample:Delays:0"] = "00:00:02",
            ["Sample:Consumer:Topping"] = "1",
            ["Sample:Sides"] = "Left, Right",
            ["Sample:Level"] = "2",
        });

        var options = provider.GetRequiredService<IOptions<SampleOptions>>().Value;

        Assert.Equal(Flavour.Salted, options.Flavour);
        Assert.Null(options.Fallback);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
        Assert.True(options.Ssl);
        Assert.Equal(500, options.Consumer.MaxBatchSize);
        Assert.Equal([TimeSpan.FromSeconds(2)], options.Delays);
        Assert.Equal(Flavour.Salted, options.Consumer.Topping);
        Assert.Equal(Sides.Left | Sides.Right, options.Sides);
        Assert.Equal(Level.High, options.Level);
    }

    [Fact]
    public void AnEnumSettingNoMemberHasIsNamedBeforeAValidatorThatSwitchesOnItRuns()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Sample:Flavour"] = "7" }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddUnreadableSettingsAsErrors();
        services.AddOptions<SampleOptions>().BindConfiguration("Sample").ValidateOnStart();
        services.AddSingleton<IValidateOptions<SampleOptions>>(new SwitchingValidator());
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SampleOptions>>().Value);

        Assert.Equal("Sample:Flavour: '7' is not one of Plain, Salted.", Assert.Single(e.Failures));
    }

    [Fact]
    public void EveryValidatorsFailuresAreReportedTogetherAsBefore()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Sample:Retries"] = "-1" }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddUnreadableSettingsAsErrors();
        services.AddOptions<SampleOptions>().BindConfiguration("Sample").Validate(o => o.Retries >= 0, "Sample:Retries must not be negative.");
        services.AddSingleton<IValidateOptions<SampleOptions>>(new SwitchingValidator());
        services.AddSingleton<IValidateOptions<SampleOptions>>(new FailingValidator("Sample:Budget is wrong.", "Sample:Ratio is wrong."));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SampleOptions>>().Value);

        Assert.Equal(["Sample:Retries must not be negative.", "Sample:Budget is wrong.", "Sample:Ratio is wrong."], e.Failures);
    }

    /// <summary>A validator written for the enum's members only, as services write them.</summary>
    private sealed class SwitchingValidator : IValidateOptions<SampleOptions>
    {
        public ValidateOptionsResult Validate(string? name, SampleOptions options) => options.Flavour switch
        {
            Flavour.Plain or Flavour.Salted => ValidateOptionsResult.Success,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Flavour, "not a flavour"),
        };
    }

    private sealed class FailingValidator(params string[] failures) : IValidateOptions<SampleOptions>
    {
        public ValidateOptionsResult Validate(string? name, SampleOptions options) => ValidateOptionsResult.Fail(failures);
    }

    [Fact]
    public void UnreadableValuesInTwoSectionsAreBothNamedAtStart()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sample:Ssl"] = "yes",
            ["Other:MaxBatchSize"] = "lots",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddUnreadableSettingsAsErrors();
        services.AddOptions<SampleOptions>().BindConfiguration("Sample").ValidateOnStart();
        services.AddOptions<Limits>().BindConfiguration("Other").ValidateOnStart();
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            ["Sample:Ssl: 'yes' is not true or false.", "Other:MaxBatchSize: 'lots' is not a whole number from -2147483648 to 2147483647."],
            e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(f => f.Failures));
    }

    [Fact]
    public void AnotherBindingFailureIsLeftAsItIs()
    {
        Assert.Null(UnreadableSettings.Describe(new InvalidOperationException("Cannot create instance of type 'Sample' because it is missing a public parameterless constructor.")));
        Assert.Null(UnreadableSettings.Describe(new FormatException("Failed to convert configuration value 'x' at 'A:B' to type 'System.Int32'.")));
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddUnreadableSettingsAsErrors();
        services.AddOptions<SampleOptions>().BindConfiguration("Sample").ValidateOnStart();
        return services.BuildServiceProvider();
    }
}
