using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Hosting;
using Vigil.Messaging;

namespace Vigil.FleetSim.UnitTests;

/// <summary>
/// The raw sinks hand records over one by one: a host whose partition cannot be acknowledged (its leader down) holds
/// back only its own records, and a batch returns without waiting for them. The publisher here is an in-memory
/// stand-in whose acknowledgements the test controls.
/// </summary>
public sealed class RawSinkDegradationTests
{
    [Fact]
    public async Task ABatchReturnsAndOtherHostsAreAcknowledgedWhileOneHostsPartitionWaits()
    {
        var publisher = new HeldPublisher("mac-down");
        var deliveries = new PendingDeliveries(NullLogger.Instance, maxPending: 100);
        var sink = new KafkaRawTelemetrySink(publisher, e => System.Text.Encoding.UTF8.GetBytes(e.Event.Id), deliveries);
        TelemetryEvent[] batch = [Event("mac-up", "a"), Event("mac-down", "b"), Event("mac-up", "c"), Event("mac-other", "d")];

        await sink.WriteAsync(batch, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(["a", "c", "d"], publisher.Acknowledged.Order());
        Assert.Equal(1, deliveries.Pending);
        var draining = sink.DrainAsync(TestContext.Current.CancellationToken);
        Assert.False(draining.IsCompleted);
        publisher.Release();
        await draining.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(0, deliveries.Pending);
    }

    [Fact]
    public async Task UnacknowledgedRecordsAreBoundedAndTheSimulationWaitsBeyondTheBound()
    {
        var publisher = new HeldPublisher("mac-down");
        var deliveries = new PendingDeliveries(NullLogger.Instance, maxPending: 3);
        var sink = new KafkaRawTelemetrySink(publisher, e => System.Text.Encoding.UTF8.GetBytes(e.Event.Id), deliveries);

        var writing = sink.WriteAsync([.. Enumerable.Range(0, 5).Select(i => Event("mac-down", $"e{i}"))], TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(200, TestContext.Current.CancellationToken);

        Assert.False(writing.IsCompleted);
        Assert.Equal(3, deliveries.Pending);
        publisher.Release();
        await writing.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    private static TelemetryEvent Event(string host, string id) => new() { Host = new Host { Id = host }, Event = new Event { Id = id } };

    private sealed class HeldPublisher(string heldHost) : ITopicPublisher<byte[]>
    {
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentBag<string> Acknowledged { get; } = [];

        public string Topic => "raw";

        public void Release() => released.TrySetResult();

        public async Task<RecordPosition> PublishAsync(string key, byte[] message, CancellationToken cancellationToken = default)
        {
            if (key == heldHost)
            {
                await released.Task.ConfigureAwait(false);
            }
            else
            {
                Acknowledged.Add(System.Text.Encoding.UTF8.GetString(message));
            }

            return new RecordPosition(Topic, 0, 0);
        }

        public async Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, byte[]>> records, CancellationToken cancellationToken = default)
        {
            var positions = new List<RecordPosition>();
            foreach (var (key, value) in records)
            {
                positions.Add(await PublishAsync(key, value, cancellationToken).ConfigureAwait(false));
            }

            return positions;
        }
    }
}
