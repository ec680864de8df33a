namespace Vigil.Console;

/// <summary>A consumer group's lag on one partition as last scraped, and whether it has stopped draining.</summary>
public sealed record PartitionLag(string Target, string Group, string Topic, int Partition, double Lag, bool Stalled, DateTimeOffset? LastProgress);
