namespace Vigil.Benchmarks;

/// <summary>One consumer read the whole topic alone; <paramref name="BrokerCpuShare"/> is the embedded broker's CPU meanwhile, in cores.</summary>
internal sealed record ServiceRow(string Kind, ConsumerFigures Figures, double BrokerCpuShare);
