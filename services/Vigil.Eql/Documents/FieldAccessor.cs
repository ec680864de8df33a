namespace Vigil.Eql.Documents;

/// <summary>Reads one field of an event; built once per field at compile time.</summary>
public delegate EqlValue FieldAccessor<in TEvent>(TEvent document);
