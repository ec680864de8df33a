using Microsoft.Extensions.DependencyInjection;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Baseline.UnitTests;
using Vigil.Testing;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// A backlog's batch touches hundreds of images: Redis runs each script alone, so their reads and updates go in several
/// bounded script calls, and every image of the batch is still read and learned.
/// </summary>
public sealed class LargeBatchTests(RedisServer redis)
{
    [Fact]
    public async Task ABatchOfMoreImagesThanOneScriptCallHoldsIsLearnedAndReadBackInFull()
    {
        await using var stack = new BaselineStack(redis);
        var writer = await stack.StartBaselineAsync();
        var handler = writer.Services.GetRequiredService<BaselineHandler>();
        var macs = new[] { new BaselineTelemetry("mac-large-1"), new BaselineTelemetry("mac-large-2") };
        var imageCount = (2 * ProfileUpdateScript.ImagesPerCall) + 44;
        var tools = Batches.Tools("large", imageCount);
        var batch = Batches.Records("large-topic", Batches.Connections(macs, tools));

        await handler.HandleAsync(batch, TestContext.Current.CancellationToken);

        // A second instance holds nothing in memory: it reads every profile and view of the batch from Redis.
        var reader = await stack.StartBaselineAsync();
        var store = reader.Services.GetRequiredService<BaselineStore>();
        var observations = batch.Select(r => NetworkObservation.From(r)!.Value).ToList();
        var images = observations.Select(o => o.Image).Distinct().ToList();
        var state = await store.LoadAsync(images, observations.Select(o => (o.Image, o.HostId)).Distinct().ToList());

        Assert.Equal(imageCount, images.Count);
        Assert.All(images, image => Assert.Equal(2, state.Profiles[image.Tag].Observations));
        Assert.Equal(2 * imageCount, state.Hosts.Count);
        Assert.All(state.Hosts.Values, view => Assert.NotEqual(string.Empty, view.StoredWatermark));
    }
}
