using Vigil.Eql;
using Vigil.Eql.Documents;

namespace Vigil.Rules;

/// <summary>
/// Applies a rule's [vigil] exceptions to a match's evidence: an exception suppresses the match when each criterion it
/// names is satisfied by at least one evidence event (so a sequence's exec and network events can satisfy different
/// criteria of one entry).
/// </summary>
public sealed class RuleExceptionFilter<TEvent>
{
    private readonly (RuleException Exception, CompiledQuery<TEvent>[] Criteria)[] _entries;

    public RuleExceptionFilter(IReadOnlyList<RuleException> exceptions, IEventSchema<TEvent> schema)
    {
        _entries = exceptions
            .Select(e => (e, ExceptionConditions.For(e).Select(c => EqlCompiler.Compile($"any where {c}", schema)).ToArray()))
            .ToArray();
    }

    /// <summary>The first exception that allows this evidence, or null when the match stands.</summary>
    public RuleException? FindException(IReadOnlyList<TEvent> evidence)
    {
        foreach (var (exception, criteria) in _entries)
        {
            if (criteria.Length > 0 && criteria.All(c => evidence.Any(c.Matches)))
            {
                return exception;
            }
        }

        return null;
    }
}
