using System.Security.Cryptography;
using System.Text;
using Vigil.Eql.Documents;
using Vigil.Eql.Syntax;

namespace Vigil.Eql;

/// <summary>
/// An EQL query bound to one event schema: every field resolved to a compiled accessor. Evaluate single-event queries
/// with <see cref="Matches"/>; run sequences with <see cref="Sequences.SequenceEngine{TEvent}"/>.
/// </summary>
public sealed class CompiledQuery<TEvent>
{
    private readonly CompiledStep<TEvent>[] _definitions;
    private readonly int[] _stageDefinitions;

    internal CompiledQuery(
        EqlQuery syntax,
        CompiledStep<TEvent>[] definitions,
        int[] stageDefinitions,
        CompiledStep<TEvent>? until,
        IReadOnlyList<string> joinKeyNames,
        StandardFields<TEvent> fields)
    {
        Syntax = syntax;
        _definitions = definitions;
        _stageDefinitions = stageDefinitions;
        Until = until;
        JoinKeyNames = joinKeyNames;
        Fields = fields;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(syntax.Source.Text)))[..16];
    }

    public EqlQuery Syntax { get; }

    public bool IsSequence => Syntax is SequenceQuery;

    /// <summary>The number of events a match holds: the steps of a sequence with runs expanded, or 1.</summary>
    public int StageCount => _stageDefinitions.Length;

    /// <summary>The sequence's maxspan, if any.</summary>
    public TimeSpan? MaxSpan => (Syntax as SequenceQuery)?.MaxSpan;

    /// <summary>The join key fields, as written in the first step (shared "by" fields first).</summary>
    public IReadOnlyList<string> JoinKeyNames { get; }

    /// <summary>Identifies this exact query text; stored sequence state is only valid for the same fingerprint.</summary>
    public string Fingerprint { get; }

    internal CompiledStep<TEvent>? Until { get; }

    internal StandardFields<TEvent> Fields { get; }

    /// <summary>True when a single-event query matches <paramref name="document"/>.</summary>
    public bool Matches(TEvent document)
    {
        if (IsSequence)
        {
            throw new InvalidOperationException("A sequence query matches sequences of events: run it with a SequenceEngine.");
        }

        return _definitions[0].Matches(document);
    }

    /// <summary>
    /// True when the event satisfies some step or the until clause, i.e. when it could change sequence state. An event
    /// for which this is false leaves the engine untouched, so a caller may skip it without changing any result.
    /// </summary>
    public bool IsRelevant(TEvent document) => Classify(document).IsRelevant;

    internal CompiledStep<TEvent> Stage(int stage) => _definitions[_stageDefinitions[stage]];

    internal int DefinitionOf(int stage) => _stageDefinitions[stage];

    internal EventClassification Classify(TEvent document)
    {
        ulong steps = 0;
        for (var i = 0; i < _definitions.Length; i++)
        {
            if (_definitions[i].Matches(document))
            {
                steps |= 1UL << i;
            }
        }

        return new EventClassification(steps, Until?.Matches(document) ?? false);
    }
}
