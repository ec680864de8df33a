namespace Vigil.Console.IntegrationTests;

/// <summary>The browser tests share one stack (broker, Redis, correlator, baseline, console, chromium) and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleStack>
{
    public const string Name = "console stack";
}
