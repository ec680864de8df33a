using Google.Protobuf;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.UnitTests;

/// <summary>
/// A selectively parsed event reads its selected fields as the generated parser does, becomes the generated parser's
/// event when completed, and is accepted or rejected exactly when the generated parser accepts or rejects its payload.
/// </summary>
public sealed class SelectiveParsingTests
{
    private static readonly FieldSelection Selection = FieldSelection.Of(TelemetryEvent.Descriptor,
    [
        "timestamp", "event.category", "event.type", "event.action", "event.id", "host.id", "host.os.name",
        "process.name", "process.args", "process.pid", "process.parent.executable", "process.code_signature.trusted",
        "destination.port", "file.ext.entropy", "process.hash",
    ]);

    private static TelemetryEvent Sample(int i) => new()
    {
        Timestamp = 1_741_000_000_000_000_000 + i,
        Message = "message " + i,
        Event = new Event { Id = "e-" + i, Category = { "process" }, Type = { "start" }, Action = "exec", Dataset = "endpoint.events.process", Sequence = i },
        Host = new Host { Id = "mac-" + (i % 7), Name = "mac", Os = new Os { Name = "macOS", Version = "15.3", Family = "macos" }, Ip = { "10.0.0." + (i % 250) } },
        User = new User { Name = "alice", Id = "501" },
        Process = new Process
        {
            EntityId = "p-" + i,
            Pid = i,
            Name = i % 2 == 0 ? "curl" : "zsh",
            Executable = "/usr/bin/curl",
            Args = { "curl", "-s", "https://example.test/" + i },
            CommandLine = "curl -s https://example.test/" + i,
            CodeSignature = new CodeSignature { Trusted = i % 3 == 0, SigningId = "com.apple.curl", Exists = true },
            Hash = new Hash { Sha256 = new string('a', 64), Cdhash = "cd" + i },
            Parent = new Process { EntityId = "pp-" + i, Executable = "/bin/zsh", Name = "zsh", Parent = new Process { EntityId = "ppp" } },
            EnvVars = { "PATH=/usr/bin" },
        },
        File = new Vigil.Contracts.Telemetry.File { Path = "/tmp/x" + i, Ext = new FileExt { Entropy = 7.5, Quarantined = true } },
        Destination = new Endpoint { Ip = "93.184.216.34", Port = 443 },
        Unmapped = { ["vendor.field"] = "\"v\"" },
    };

    [Fact]
    public void SelectedFieldsReadAsTheGeneratedParserReadsThemAndTheRestStaysEmpty()
    {
        var parser = new SelectiveTelemetryParser(Selection);
        var original = Sample(4);

        var e = parser.Parse(original.ToByteArray());

        Assert.True(e.IsPartial);
        Assert.Equal((original.Timestamp, original.Event.Id, original.Event.Action), (e.Timestamp, e.Event.Id, e.Event.Action));
        Assert.Equal(original.Event.Category, e.Event.Category);
        Assert.Equal(original.Process.Args, e.Process.Args);
        Assert.Equal((original.Process.Pid, original.Process.Name, original.Process.Parent.Executable), (e.Process.Pid, e.Process.Name, e.Process.Parent.Executable));
        Assert.Equal((true, original.Process.CodeSignature.Trusted), (e.Process.CodeSignature.HasTrusted, e.Process.CodeSignature.Trusted));
        Assert.Equal(original.Process.Hash, e.Process.Hash);
        Assert.Equal((original.Host.Os.Name, original.Destination.Port, original.File.Ext.Entropy), (e.Host.Os.Name, e.Destination.Port, e.File.Ext.Entropy));
        Assert.Equal((string.Empty, string.Empty, string.Empty), (e.Message, e.Process.CommandLine, e.Process.Parent.EntityId));
        Assert.Null(e.User);
        Assert.False(e.Process.CodeSignature.HasExists);
        Assert.Empty(e.Unmapped);
    }

    [Fact]
    public void ACompletedEventIsTheGeneratedParsersEventFieldForFieldAndSerializesTheSame()
    {
        var parser = new SelectiveTelemetryParser(Selection);
        for (var i = 0; i < 50; i++)
        {
            var bytes = Sample(i).ToByteArray();
            var e = parser.Parse(bytes);

            e.Complete();

            Assert.False(e.IsPartial);
            Assert.Equal(TelemetryEvent.Parser.ParseFrom(bytes), e);
            Assert.Equal(bytes, e.ToByteArray());
        }
    }

    [Fact]
    public void AValueOfACachedFieldSeenBeforeIsTheSameStringAndUniqueFieldsAreNotShared()
    {
        var parser = new SelectiveTelemetryParser(Selection);

        var first = parser.Parse(Sample(2).ToByteArray());
        var second = parser.Parse(Sample(4).ToByteArray());

        Assert.Same(first.Process.Name, second.Process.Name);
        Assert.Same(first.Event.Category[0], second.Event.Category[0]);
        Assert.Same(first.Host.Os.Name, second.Host.Os.Name);
        Assert.NotSame(first.Process.Args[0], second.Process.Args[0]);
    }

    [Fact]
    public void TheTwoDecoderGenerationsOfAConsumerShareTheirStringsYetKeepTheirOwnEvents()
    {
        // The consume loop decodes one batch with one parser while the other's batch is handled, both on its thread.
        var current = new SelectiveTelemetryParser(Selection);
        var next = new SelectiveTelemetryParser(Selection);

        var first = current.Parse(Sample(2).ToByteArray());
        var second = next.Parse(Sample(4).ToByteArray());
        current.ReleasePayloads();
        var third = current.Parse(Sample(6).ToByteArray());

        Assert.Same(first.Process.Name, second.Process.Name);
        Assert.Same(first.Host.Os.Name, second.Host.Os.Name);
        Assert.NotSame(first, second);
        Assert.Equal("e-4", second.Event.Id);
        Assert.Equal("e-6", third.Event.Id);
        Assert.Same(second.Process.Name, third.Process.Name);
    }

    [Fact]
    public void AFieldWithThousandsOfValuesKeepsThemCachedAsItsTableGrows()
    {
        var strings = new Utf8Strings(cachedFields: 2);
        var values = Enumerable.Range(0, Utf8Strings.Capacity - 1).Select(i => $"/Users/u{i % 97}/Library/Caches/item-{i}").ToList();
        var first = values.Select(v => strings.Get(System.Text.Encoding.UTF8.GetBytes(v), cache: 0)).ToList();
        var few = strings.Get("process"u8, cache: 1);

        var again = values.Select(v => strings.Get(System.Text.Encoding.UTF8.GetBytes(v), cache: 0)).ToList();

        Assert.Equal(values, again);
        Assert.True(again.Select((v, i) => ReferenceEquals(v, first[i])).Count(same => same) > values.Count * 0.97, "values seen before come from the cache");
        Assert.Same(few, strings.Get("process"u8, cache: 1));
        Assert.Equal(1, strings.Count(1));
    }

    [Fact]
    public void EverNewValuesOfACachedFieldKeepItsCacheWithinItsCap()
    {
        var strings = new Utf8Strings(cachedFields: 1);
        var sinceStart = new List<string>();
        var held = 0;
        for (var i = 0; i < (Utf8Strings.Capacity * 3) + 7; i++)
        {
            var value = strings.Get(System.Text.Encoding.UTF8.GetBytes("value-" + i), cache: 0);
            Assert.Equal("value-" + i, value);
            Assert.True(strings.Count(0) <= Utf8Strings.Capacity);
            if (strings.Count(0) < held)
            {
                // The cache started over (or dropped values as its table grew): what it holds now came after this.
                sinceStart.Clear();
            }

            held = strings.Count(0);
            sinceStart.Add(value);
        }

        // Values added since the cache last started over are still there, apart from the few whose probe run was full
        // (which slots collide depends on the cache's random seed, so a value may be dropped rather than placed).
        var recent = sinceStart.TakeLast(200).ToList();
        Assert.NotEmpty(recent);
        var found = recent.Count(v => ReferenceEquals(v, strings.Get(System.Text.Encoding.UTF8.GetBytes(v), cache: 0)));
        Assert.True(found >= recent.Count * 9 / 10, $"{found} of the {recent.Count} values added since the cache started over were still cached");
        var tooLong = new string('x', Utf8Strings.MaxCachedBytes + 1);
        Assert.NotSame(strings.Get(System.Text.Encoding.UTF8.GetBytes(tooLong), 0), strings.Get(System.Text.Encoding.UTF8.GetBytes(tooLong), 0));
    }

    [Fact]
    public void LongPathsAreCachedWhileACacheOfLongValuesNeverHoldsMoreThanItsByteBudget()
    {
        var strings = new Utf8Strings(cachedFields: 1);
        var path = "/Applications/Some Vendor Suite.app/Contents/Library/LaunchServices/com.example.suite.helper.app/Contents/MacOS/com.example.suite.helper-agent";
        Assert.True(path.Length > 128);
        Assert.Same(strings.Get(System.Text.Encoding.UTF8.GetBytes(path), cache: 0), strings.Get(System.Text.Encoding.UTF8.GetBytes(path), cache: 0));

        for (var i = 0; i < Utf8Strings.Capacity; i++)
        {
            var value = $"{i:D6}" + new string('p', Utf8Strings.MaxCachedBytes - 6);
            Assert.Equal(value, strings.Get(System.Text.Encoding.UTF8.GetBytes(value), cache: 0));
            Assert.True(strings.Bytes(0) <= Utf8Strings.MaxBytesPerCache);
        }
    }

    [Fact]
    public void CompletingAnEventAfterItsBatchWasReleasedFailsInsteadOfReadingAnotherRecordsBytes()
    {
        var parser = new SelectiveTelemetryParser(Selection);
        var kept = parser.Parse(Sample(1).ToByteArray());

        parser.ReleasePayloads();

        Assert.Throws<InvalidOperationException>(kept.Complete);
    }

    [Fact]
    public void AnEventCompletedBeforeItsBatchWasReleasedStaysWholeWhilePartialOnesAreReused()
    {
        var parser = new SelectiveTelemetryParser(Selection);
        var completed = parser.Parse(Sample(2).ToByteArray());
        var partial = parser.Parse(Sample(3).ToByteArray());
        completed.Complete();

        parser.ReleasePayloads();
        var next = Enumerable.Range(10, 5).Select(i => parser.Parse(Sample(i).ToByteArray())).ToList();

        Assert.Equal(Sample(2), completed);
        Assert.Contains(next, e => ReferenceEquals(e, partial));
        Assert.DoesNotContain(next, e => ReferenceEquals(e, completed));
        Assert.All(next.Select((e, i) => (e, i)), x => Assert.Equal(Sample(10 + x.i).Event.Id, x.e.Event.Id));
    }

    [Fact]
    public void ADetachedPartialEventKeepsItsValuesAfterLaterBatchesAndCanStillBeCompleted()
    {
        var parser = new SelectiveTelemetryParser(Selection);
        var detached = parser.Parse(Sample(5).ToByteArray());
        var expected = parser.Parse(Sample(5).ToByteArray()).Clone();
        var process = detached.Process;
        detached.Detach();

        for (var batch = 0; batch < 3; batch++)
        {
            parser.ReleasePayloads();
            var next = Enumerable.Range(100 * (batch + 1), 20).Select(i => parser.Parse(Sample(i).ToByteArray())).ToList();
            Assert.DoesNotContain(next, e => ReferenceEquals(e, detached));
            Assert.DoesNotContain(next, e => ReferenceEquals(e.Process, detached.Process));
        }

        // Its own copies of the selected fields, unchanged; the pooled sub-message it held went back to its pool.
        Assert.True(detached.IsPartial);
        Assert.NotSame(process, detached.Process);
        Assert.Equal(expected.Process, detached.Process);
        Assert.Equal(expected.Event, detached.Event);
        Assert.Equal(expected.Host, detached.Host);
        Assert.Equal(expected.Timestamp, detached.Timestamp);
        Assert.Equal("e-5", detached.Event.Id);
        Assert.Equal("zsh", detached.Process.Name);
        Assert.Empty(detached.Process.CommandLine);

        detached.Complete();
        Assert.False(detached.IsPartial);
        Assert.Equal(Sample(5), detached);
    }

    [Fact]
    public void DetachingAnEventAfterItsBatchWasReleasedFailsInsteadOfKeepingAnotherRecordsValues()
    {
        var parser = new SelectiveTelemetryParser(Selection);
        var late = parser.Parse(Sample(6).ToByteArray());

        parser.ReleasePayloads();

        Assert.Throws<InvalidOperationException>(late.Detach);
    }

    [Fact]
    public void ManyValuesOfOneLengthAndPrefixEachComeBackAsTheirOwnStringFromTheCache()
    {
        var strings = new Utf8Strings(cachedFields: 1);
        var values = Enumerable.Range(0, 3000).Select(i => $"/Applications/Some.app/Contents/MacOS/tool-{i:D5}").ToList();
        var first = values.Select(v => strings.Get(System.Text.Encoding.UTF8.GetBytes(v), cache: 0)).ToList();

        var again = values.Select(v => strings.Get(System.Text.Encoding.UTF8.GetBytes(v), cache: 0)).ToList();

        Assert.Equal(values, first);
        Assert.Equal(values, again);
        Assert.True(again.Select((v, i) => ReferenceEquals(v, first[i])).Count(same => same) > 2900, "values seen before come from the cache");
        Assert.Throws<SelectiveParseAbandoned>(() => strings.Get([0x41, 0xC3], cache: 0));
        Assert.Throws<SelectiveParseAbandoned>(() => strings.Get([0x41, 0xC3], cache: 0));
    }

    [Fact]
    public void APayloadIsAcceptedOrRejectedExactlyWhenTheGeneratedParserAcceptsOrRejectsIt()
    {
        var parser = new SelectiveTelemetryParser(Selection);
        var random = new Random(12);
        var accepted = 0;
        var rejected = 0;
        for (var round = 0; round < 4000; round++)
        {
            var bytes = Sample(round).ToByteArray();
            Mutate(bytes, random);
            TelemetryEvent? full = null;
            Exception? fullError = null;
            try
            {
                full = TelemetryEvent.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException e)
            {
                fullError = e;
            }

            try
            {
                var e = parser.Parse(bytes);
                Assert.True(fullError is null, $"round {round}: the generated parser rejects what the selective parser accepted: {fullError?.Message}");
                e.Complete();
                Assert.Equal(full, e);
                accepted++;
            }
            catch (InvalidProtocolBufferException e)
            {
                Assert.True(fullError is not null, $"round {round}: the selective parser rejects what the generated parser accepts: {e.Message}");
                Assert.Equal(fullError.Message, e.Message);
                rejected++;
            }
        }

        // Both outcomes were exercised, many times.
        Assert.True(accepted > 400 && rejected > 400, $"accepted {accepted}, rejected {rejected}");
    }

    [Fact]
    public void ASelectionNamesItsFieldsAndJoinsAnother()
    {
        var joined = FieldSelection.Of(TelemetryEvent.Descriptor, ["process.parent.name"])
            .Union(FieldSelection.Of(TelemetryEvent.Descriptor, ["process.parent", "event.category"]));

        Assert.Equal(["event.category", "process.parent.*"], joined.Paths);
        Assert.Throws<ArgumentException>(() => FieldSelection.Of(TelemetryEvent.Descriptor, ["process.nmae"]));
    }

    private static void Mutate(byte[] bytes, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                break;
            case 1:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 2:
                // Invalid UTF-8 where a string may be.
                bytes[random.Next(bytes.Length)] = 0xC3;
                break;
            default:
                for (var i = 0; i < 3; i++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                break;
        }
    }
}
