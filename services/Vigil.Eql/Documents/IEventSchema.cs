namespace Vigil.Eql.Documents;

/// <summary>
/// How a compiled query reads one kind of event document (a protobuf message, a JSON document): which fields exist,
/// and a compiled accessor per field. Both kinds share one <see cref="FieldCatalog"/>, so a query compiles the same way
/// against either and gives the same results.
/// </summary>
public interface IEventSchema<TEvent>
{
    FieldCatalog Fields { get; }

    /// <summary>Builds the reader of <paramref name="field"/>; <paramref name="writtenPath"/> is the path as the query spells it.</summary>
    FieldAccessor<TEvent> CreateAccessor(FieldDefinition field, string writtenPath);
}
