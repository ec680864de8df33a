using Microsoft.Extensions.DependencyInjection;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Baseline.UnitTests;
using Vigil.Testing;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// A batch's writes fill script argument arrays that later batches reuse: a reused array is longer than the next
/// write needs (its tail sent as empty strings) and held the earlier batch's views, so each batch must still store
/// exactly its own.
/// </summary>
public sealed class ArgumentReuseTests(RedisServer redis)
{
    [Fact]
    public async Task ABatchWrittenThroughTheArraysOfALargerOneStoresExactlyItsOwnProfilesAndViews()
    {
        await using var stack = new BaselineStack(redis);
        var writer = await stack.StartBaselineAsync();
        var handler = writer.Services.GetRequiredService<BaselineHandler>();
        var store = writer.Services.GetRequiredService<BaselineStore>();
        var macs = new[] { new BaselineTelemetry("mac-reuse-1"), new BaselineTelemetry("mac-reuse-2") };

        // 70 images, then 67 others: the second batch's calls fit, a little shorter, in the arrays the first one's used.
        var first = Batches.Records("reuse-topic", Batches.Connections(macs, Batches.Tools("first", 70)));
        var second = Batches.Records("reuse-topic", Batches.Connections(macs, Batches.Tools("second", 67)), offset: first.Count);
        await handler.HandleAsync(first, TestContext.Current.CancellationToken);
        var (rented, reused) = store.ArgumentArraysUsed;
        await handler.HandleAsync(second, TestContext.Current.CancellationToken);

        Assert.True(store.ArgumentArraysUsed.Reused > reused, $"the second batch took {store.ArgumentArraysUsed.Rented - rented} arrays and reused none");

        // A second instance holds nothing in memory: it reads every profile and view back from Redis.
        var reader = await stack.StartBaselineAsync();
        var readerStore = reader.Services.GetRequiredService<BaselineStore>();
        foreach (var batch in new[] { first, second })
        {
            var observations = batch.Select(r => NetworkObservation.From(r)!.Value).ToList();
            var images = observations.Select(o => o.Image).Distinct().ToList();
            var state = await readerStore.LoadAsync(images, observations.Select(o => (o.Image, o.HostId)).Distinct().ToList());

            Assert.All(images, image => Assert.Equal(2, state.Profiles[image.Tag].Observations));
            Assert.Equal(2 * images.Count, state.Hosts.Count);
            Assert.All(state.Hosts.Values, view =>
            {
                Assert.Equal(1, view.Observations);
                Assert.NotEqual(string.Empty, view.StoredWatermark);
            });
        }
    }
}
