using System.Security.Cryptography;
using System.Text;
using Vigil.Eql.Documents;
using Vigil.Eql.Indexing;
using Vigil.Eql.Syntax;

namespace Vigil.Eql;

/// <summary>
/// An EQL query bound to one event schema: every field resolved to a compiled accessor. Evaluate single-event queries
/// with <see cref="Matches"/>; run sequences with <see cref="Sequences.SequenceEngine{TEvent}"/>.
/// </summary>
public sealed class CompiledQuery<TEvent>
{
    private readonly CompiledStep<TEvent>[] definitions;
    private readonly int[] stageDefinitions;

    internal CompiledQuery(
        EqlQuery syntax,
        CompiledStep<TEvent>[] definitions,
        int[] stageDefinitions,
        CompiledStep<TEvent>? until,
        IReadOnlyList<string> joinKeyNames,
        StandardFields<TEvent> fields,
        IReadOnlyList<MissingStep>? missingSteps = null,
        bool keysShared = false)
    {
        KeysShared = keysShared;
        Syntax = syntax;
        this.definitions = definitions;
        this.stageDefinitions = stageDefinitions;
        MissingSteps = missingSteps ?? [];
        Until = until;
        JoinKeyNames = joinKeyNames;
        Fields = fields;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(syntax.Source.Text)))[..16];
    }

    public EqlQuery Syntax { get; }

    public bool IsSequence => Syntax is SequenceQuery;

    /// <summary>A sample query: events matching every filter under one join key, in any time order.</summary>
    public bool IsSample => Syntax is SampleQuery;

    /// <summary>True for sequences and samples: they keep per-host state and run on a SequenceEngine.</summary>
    public bool IsStateful => IsSequence || IsSample;

    /// <summary>
    /// The number of events a match holds: the positive steps of a sequence with runs expanded, the filters of a
    /// sample, or 1. Missing-event steps hold no event.
    /// </summary>
    public int StageCount => this.stageDefinitions.Length;

    /// <summary>The missing-event steps of a sequence, each with the number of positive stages written before it.</summary>
    internal IReadOnlyList<MissingStep> MissingSteps { get; }

    /// <summary>The sequence's maxspan, if any.</summary>
    public TimeSpan? MaxSpan => (Syntax as SequenceQuery)?.MaxSpan;

    /// <summary>The join key fields, as written in the first step (shared "by" fields first).</summary>
    public IReadOnlyList<string> JoinKeyNames { get; }

    /// <summary>Identifies this exact query text; stored sequence state is only valid for the same fingerprint.</summary>
    public string Fingerprint { get; }

    internal CompiledStep<TEvent>? Until { get; }

    /// <summary>
    /// True when every step (and until) joins on the query's shared "by" fields alone: an event's join key is then the
    /// same at every step, read once.
    /// </summary>
    internal bool KeysShared { get; }

    internal StandardFields<TEvent> Fields { get; }

    /// <summary>True when a single-event query matches <paramref name="document"/>.</summary>
    public bool Matches(TEvent document)
    {
        if (IsStateful)
        {
            throw new InvalidOperationException("A sequence or sample query matches groups of events: run it with a SequenceEngine.");
        }

        return this.definitions[0].Matches(document);
    }

    /// <summary>
    /// True when the event satisfies some step or the until clause, i.e. when it could change sequence state. An event
    /// for which this is false leaves the engine untouched, so a caller may skip it without changing any result.
    /// </summary>
    public bool IsRelevant(TEvent document) => Classify(document).IsRelevant;

    /// <summary>
    /// What every relevant event (see <see cref="IsRelevant"/>) has in its fields: the "or" of what each step and the
    /// until clause require. <see cref="Requirement{TEvent}.None"/> when some step could match any event.
    /// </summary>
    internal Requirement<TEvent> Relevance =>
        this.definitions.Select(d => d.Requires).Concat(Until is { } until ? [until.Requires] : []).Aggregate((a, b) => a.Or(b));

    internal CompiledStep<TEvent> Stage(int stage) => definitions[stageDefinitions[stage]];

    internal CompiledStep<TEvent> Definition(int definition) => definitions[definition];

    internal int DefinitionOf(int stage) => stageDefinitions[stage];

    /// <summary>Distinct steps (definitions) of the query: the bits of an <see cref="EventClassification"/>.</summary>
    internal int DefinitionCount => definitions.Length;

    /// <summary>
    /// Tests every step (and the until clause) of the query against <paramref name="document"/> once. Pass the result to
    /// <see cref="Sequences.SequenceEngine{TEvent}.Process(Sequences.HostState{TEvent}, TEvent, EventClassification)"/>
    /// instead of letting the engine test the conditions again.
    /// </summary>
    public EventClassification Classify(TEvent document)
    {
        ulong steps = 0;
        for (var i = 0; i < this.definitions.Length; i++)
        {
            if (this.definitions[i].Matches(document))
            {
                steps |= 1UL << i;
            }
        }

        return new EventClassification(steps, Until?.Matches(document) ?? false);
    }
}
