namespace Vigil.Adapters;

/// <summary>A document of a raw record that produced no event: why (typed, for metrics and the dead-letter header) and in words.</summary>
/// <param name="DocumentIndex">Which document of the record (search responses and exports hold many), 0 for single documents.</param>
/// <param name="Document">The rejected document's own bytes when it could be isolated; empty means the whole record is what to keep.</param>
public sealed record AdaptRejection(RejectionReason Reason, string Detail, int DocumentIndex = 0, ReadOnlyMemory<byte> Document = default);
