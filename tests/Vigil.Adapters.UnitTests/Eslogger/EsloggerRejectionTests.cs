using System.Text;
using S = Vigil.Adapters.UnitTests.Eslogger.EsloggerSession;

namespace Vigil.Adapters.UnitTests.Eslogger;

/// <summary>Lines that cannot become events get a typed reason; nothing is mapped from a guess.</summary>
public sealed class EsloggerRejectionTests
{
    [Fact]
    public void EachMalformedLineGetsItsTypedReason()
    {
        var adapter = new EsloggerAdapter();
        var reasons = S.ReadLines("malformed.jsonl")
            .Select(line => Assert.Single(adapter.Adapt(S.Record(line, S.HostId)).Rejections).Reason)
            .ToArray();

        Assert.Equal(
            [
                RejectionReason.Malformed,        // truncated JSON
                RejectionReason.NotADocument,     // an array
                RejectionReason.NotADocument,     // no event_type
                RejectionReason.MissingTimestamp, // no time
                RejectionReason.MissingTimestamp, // time is not ISO-8601
                RejectionReason.InvalidValue,     // no audit token
                RejectionReason.InvalidValue,     // exec without a target
                RejectionReason.InvalidValue,     // rename without a destination
            ],
            reasons);
    }

    [Fact]
    public void ALineWithoutARecordKeyOrConfiguredHostIsRejectedForMissingHost()
    {
        var line = S.ReadLines("session.jsonl")[S.Open];
        var rejection = Assert.Single(new EsloggerAdapter().Adapt(S.Record(line, key: null)).Rejections);
        Assert.Equal(RejectionReason.MissingHost, rejection.Reason);
    }

    [Fact]
    public void TheConfiguredHostIdIsUsedOnlyWhenTheRecordHasNoKey()
    {
        var line = S.ReadLines("session.jsonl")[S.Open];
        var adapter = new EsloggerAdapter(new EsloggerAdapterOptions { HostId = "configured-host", HostName = "alice-mbp" });
        var unkeyed = Assert.Single(adapter.Adapt(S.Record(line, key: null)).Events);
        Assert.Equal("configured-host", unkeyed.Host.Id);
        Assert.Equal("alice-mbp", unkeyed.Host.Name);
        Assert.Equal("keyed-host", Assert.Single(adapter.Adapt(S.Record(line, "keyed-host")).Events).Host.Id);
    }

    [Fact]
    public void ARecordOfSeveralLinesGivesOneDocumentPerLineAndRejectsOnlyTheBadOne()
    {
        var lines = S.ReadLines("session.jsonl");
        var value = string.Join('\n', lines[S.Exec], "{not json", lines[S.Open]) + "\n";
        var result = new EsloggerAdapter().Adapt(new RawRecord(Encoding.UTF8.GetBytes(value), S.HostId, "test"));
        Assert.Equal(2, result.Events.Count);
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(RejectionReason.Malformed, rejection.Reason);
        Assert.Equal(1, rejection.DocumentIndex);
    }

    [Fact]
    public void UnknownTopLevelMembersAreCountedAsUnmapped()
    {
        var line = S.ReadLines("session.jsonl")[S.Open].Replace("\"schema_version\":1", "\"schema_version\":1,\"host_uuid\":\"X\"", StringComparison.Ordinal);
        var result = new EsloggerAdapter().Adapt(S.Record(line, S.HostId));
        Assert.Single(result.Events);
        Assert.Equal(1, result.UnmappedFields["host_uuid"]);
    }
}
