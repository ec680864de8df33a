namespace Vigil.Eql;

/// <summary>A query that cannot be parsed or compiled; carries every diagnostic found, each with its location.</summary>
public sealed class EqlException : Exception
{
    public EqlException(IReadOnlyList<EqlDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics))
    {
        if (diagnostics.Count == 0)
        {
            throw new ArgumentException("An EQL error needs at least one diagnostic.", nameof(diagnostics));
        }

        Diagnostics = diagnostics;
    }

    public EqlException(EqlDiagnostic diagnostic)
        : this([diagnostic])
    {
    }

    public IReadOnlyList<EqlDiagnostic> Diagnostics { get; }

    /// <summary>The first diagnostic, which is where parsing stopped for a syntax error.</summary>
    public EqlDiagnostic First => Diagnostics[0];
}
