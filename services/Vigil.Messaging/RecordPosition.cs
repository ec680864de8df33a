namespace Vigil.Messaging;

/// <summary>Where an acknowledged record was written.</summary>
public readonly record struct RecordPosition(string Topic, int Partition, long Offset);
