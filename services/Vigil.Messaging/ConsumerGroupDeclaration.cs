namespace Vigil.Messaging;

/// <summary>One consumer group as the manifest declares it: which service (and analytic) owns it and what it reads.</summary>
public sealed record ConsumerGroupDeclaration(string Name, string Service, string? Analytic, IReadOnlyList<string> Topics);
