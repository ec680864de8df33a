using System.Text.Json;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.UnitTests;

/// <summary>Fields the contract has no place for are kept on the event, bounded, and reported by name.</summary>
public sealed class UnmappedFieldTests
{
    [Fact]
    public void UnknownFieldsAreKeptUnderTheirFlattenedNamesAndReported()
    {
        var report = new EcsReadReport();

        var e = Fixture.ReadJson("""
            {"observer":{"type":"edr","vendor":"x"},"process":{"name":"curl","io":{"bytes":12}},"cloud.provider":"aws",
             "process.Ext.dll":[{"name":"a.dylib"}],"empty":{},"gone":null}
            """, report);

        Assert.Equal("curl", e.Process.Name);
        Assert.Equal(["observer.type", "observer.vendor", "process.io.bytes", "cloud.provider", "process.Ext.dll"], report.Unmapped);
        Assert.Equal("\"edr\"", e.Unmapped["observer.type"]);
        Assert.Equal("12", e.Unmapped["process.io.bytes"]);
        Assert.Equal("""[{"name":"a.dylib"}]""", e.Unmapped["process.Ext.dll"]);
        Assert.Empty(report.Problems);
        Assert.False(report.IsComplete);
    }

    [Fact]
    public void TheUnmappedMapHoldsAtMostItsBoundAndCountsTheRest()
    {
        var fields = string.Join(',', Enumerable.Range(0, UnmappedFields.MaxEntries + 3).Select(i => $"\"x.f{i}\":{i}"));
        var longValue = new string('a', UnmappedFields.MaxValueLength);
        var longKey = new string('k', UnmappedFields.MaxKeyLength + 1);
        var report = new EcsReadReport();

        var e = Fixture.ReadJson($$"""{"big":"{{longValue}}","{{longKey}}":1,{{fields}}}""", report);

        Assert.Equal(UnmappedFields.MaxEntries, e.Unmapped.Count);
        Assert.Equal(UnmappedFields.MaxEntries, report.Unmapped.Count);
        Assert.Equal(["big", longKey, "x.f64", "x.f65", "x.f66"], report.Overflow);
    }

    [Fact]
    public void UnmappedFieldsAreWrittenBackUnderTheirOwnNamesAndReadBackTheSame()
    {
        var e = Fixture.ReadJson("""{"process":{"name":"curl","io":{"bytes":12}},"labels":{"team":"red"},"tags":["a","b"]}""", new EcsReadReport());

        var json = EcsJson.Format(e);
        using var document = JsonDocument.Parse(json);

        Assert.Equal(12, document.RootElement.GetProperty("process.io.bytes").GetInt32());
        Assert.Equal("red", document.RootElement.GetProperty("labels.team").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("tags").GetArrayLength());
        Assert.False(document.RootElement.TryGetProperty("unmapped", out _));
        Assert.Equal(e, EcsJson.Parse<TelemetryEvent>(json));
    }

    [Fact]
    public void AnUnmappedValueSetByHandThatIsNotJsonIsWrittenAsText()
    {
        var e = new TelemetryEvent { Unmapped = { ["es.raw"] = "not json {" } };

        Assert.Equal("""{"es.raw":"not json {"}""", EcsJson.Format(e));
    }

    [Fact]
    public void ATallyCountsUnmappedFieldsAndProblemsPerFieldAcrossDocuments()
    {
        var tally = new EcsFieldTally();
        var report = new EcsReadReport();
        foreach (var json in new[] { """{"observer.type":"edr","process":{"args":["a",{}]}}""", """{"observer":{"type":"edr"}}""", """{"process":{"name":"x"}}""" })
        {
            report.Clear();
            Fixture.ReadJson(json, report);
            tally.Add(report);
        }

        Assert.Equal(3, tally.Documents);
        Assert.Equal(2, tally.Unmapped["observer.type"]);
        Assert.Equal(1, tally.Problems["process.args"]);
    }
}
