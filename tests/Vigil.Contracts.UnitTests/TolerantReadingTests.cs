using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.UnitTests;

/// <summary>The reader accepts what Elasticsearch accepts, and says exactly why when it cannot.</summary>
public sealed class TolerantReadingTests
{
    [Theory]
    [InlineData("""{"user":{"id":501}}""", "501")]
    [InlineData("""{"user.id":"501"}""", "501")]
    [InlineData("""{"user":{"id":[501]}}""", "501")]
    [InlineData("""{"user":{"id":true}}""", "true")]
    public void NumbersAndBooleansWhereTheContractHasAStringReadAsText(string json, string id)
    {
        Assert.Equal(id, EcsJson.Parse<TelemetryEvent>(json).User.Id);
    }

    [Theory]
    [InlineData("""{"process":{"pid":"4242"}}""", 4242)]
    [InlineData("""{"process":{"pid":4242.0}}""", 4242)]
    [InlineData("""{"process":{"pid":"4242.9"}}""", 4242)]
    [InlineData("""{"process":{"pid":[4242]}}""", 4242)]
    [InlineData("""{"process":{"pid":" 4242 "}}""", 4242)]
    public void NumericTextAndOneElementArraysReadAsNumbers(string json, long pid)
    {
        Assert.Equal(pid, EcsJson.Parse<TelemetryEvent>(json).Process.Pid);
    }

    [Theory]
    [InlineData("""{"process":{"code_signature":{"trusted":"false"}}}""", false)]
    [InlineData("""{"process":{"code_signature":{"trusted":"true"}}}""", true)]
    [InlineData("""{"process.code_signature.trusted":[false]}""", false)]
    public void BooleansAsTextAreRead(string json, bool trusted)
    {
        var signature = EcsJson.Parse<TelemetryEvent>(json).Process.CodeSignature;

        Assert.True(signature.HasTrusted);
        Assert.Equal(trusted, signature.Trusted);
    }

    [Fact]
    public void NestedAndDottedKeysMixedInOneDocumentFillTheSameMessage()
    {
        var nested = EcsJson.Parse<TelemetryEvent>("""{"file":{"Ext":{"original":{"path":"/tmp/a","name":"a"}}}}""");
        var dotted = EcsJson.Parse<TelemetryEvent>("""{"file.Ext.original.path":"/tmp/a","file":{"Ext.original":{"name":"a"}}}""");

        Assert.Equal("/tmp/a", nested.File.Ext.Original.Path);
        Assert.Equal(nested, dotted);
    }

    [Fact]
    public void AScalarForAListAndAListForAListAreAlike()
    {
        var scalar = EcsJson.Parse<TelemetryEvent>("""{"event":{"category":"process","type":["start"]},"process":{"Ext":{"ancestry":"a"}}}""");
        var list = EcsJson.Parse<TelemetryEvent>("""{"event":{"category":["process"],"type":"start"},"process":{"Ext":{"ancestry":[["a"]]}}}""");

        Assert.Equal(scalar, list);
        Assert.Equal(["a"], scalar.Process.Ext.Ancestry);
    }

    [Fact]
    public void NullAndEmptyArraysReadAsAbsent()
    {
        var e = EcsJson.Parse<TelemetryEvent>("""{"process":{"pid":null,"args_count":[],"name":"curl"}}""");

        Assert.False(e.Process.HasPid);
        Assert.False(e.Process.HasArgsCount);
        Assert.Empty(e.Unmapped);
    }

    [Fact]
    public void SeveralValuesForASingleValuedFieldGetATypedReasonAndAreKept()
    {
        var report = new EcsReadReport();

        var e = Fixture.ReadJson("""{"process":{"pid":[1,2],"name":"curl"}}""", report);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(new EcsValueProblem("$.process.pid", "one value (a 64-bit integer)", "an array of 2 values"), problem);
        Assert.Equal("curl", e.Process.Name);
        Assert.Equal("[1,2]", e.Unmapped["process.pid"]);
    }

    [Theory]
    [InlineData("""{"process":{"parent":{"pid":"abc"}}}""", "$.process.parent.pid", "a 64-bit integer", "\"abc\"")]
    [InlineData("""{"process.parent.pid":true}""", "$.process.parent.pid", "a 64-bit integer", "true")]
    [InlineData("""{"event":{"category":["process",{"a":1}]}}""", "$.event.category[1]", "a string", "an object")]
    [InlineData("""{"process":{"name":{"first":"x"}}}""", "$.process.name", "a string", "an object")]
    [InlineData("""{"@timestamp":"yesterday"}""", "$.@timestamp", "an ISO-8601 date-time or epoch milliseconds", "\"yesterday\"")]
    [InlineData("""{"process":"curl"}""", "$.process", "an object", "\"curl\"")]
    [InlineData("""{"process":{"code_signature":{"trusted":1}}}""", "$.process.code_signature.trusted", "true or false", "1")]
    [InlineData("""{"process":{"pid":99999999999999999999}}""", "$.process.pid", "a 64-bit integer", "99999999999999999999")]
    public void AValueThatCannotBeCoercedGetsATypedReason(string json, string path, string expected, string found)
    {
        var report = new EcsReadReport();

        Fixture.ReadJson(json, report);

        Assert.Equal(new EcsValueProblem(path, expected, found), Assert.Single(report.Problems));
        var error = Assert.Throws<EcsJsonException>(() => EcsJson.Parse<TelemetryEvent>(json));
        Assert.Equal(path, error.Path);
        Assert.Equal(report.Problems[0], error.Problem);
    }

    [Fact]
    public void AValueThatCannotBeCoercedDoesNotStopTheRestOfTheDocument()
    {
        var report = new EcsReadReport();

        var e = Fixture.ReadJson("""{"process":{"pid":"abc","name":"curl"},"host":{"id":"h1"}}""", report);

        Assert.Equal(("curl", "h1"), (e.Process.Name, e.Host.Id));
        Assert.False(e.Process.HasPid);
        Assert.Equal("\"abc\"", e.Unmapped["process.pid"]);
        Assert.Empty(report.Unmapped);
    }

    [Fact]
    public void ADocumentThatIsNotAnObjectGetsATypedReason()
    {
        var report = new EcsReadReport();

        Fixture.ReadJson("[1,2]", report);

        Assert.Equal(new EcsValueProblem("$", "an object", "an array of 2 values"), Assert.Single(report.Problems));
    }

    [Fact]
    public void MalformedJsonIsAnEcsJsonException()
    {
        var error = Assert.Throws<EcsJsonException>(() => EcsJson.Parse<TelemetryEvent>("""{"process": """u8.ToArray().AsMemory(), new EcsReadReport()));

        Assert.StartsWith("$ (line 1", error.Path, StringComparison.Ordinal);
    }
}
