using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Vigil.DevCluster;

/// <summary>
/// Fault injection for the fault suite and for trying failures by hand (loopback only):
/// <c>curl -X POST 127.0.0.1:9190/brokers/2/down</c> takes broker 2 down (-1: all), <c>/brokers/2/up</c> brings it
/// back, <c>/partitions/vigil.telemetry.macos.v1/3/leader/1</c> moves a partition's leadership (a broker set down
/// keeps its leaderships until moved, as an unclean cluster would). <c>/topics/{topic}/partitions/12</c> creates a
/// topic, which the mock cannot do over Kafka's admin API (`vigil topics apply` uses it on this broker).
/// </summary>
public static class DevClusterControl
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/brokers/{id:int}/down", (int id, DevClusterService dev) => Run(() => dev.Cluster.SetBrokerDown(id), $"broker {id} down"));
        app.MapPost("/brokers/{id:int}/up", (int id, DevClusterService dev) => Run(() => dev.Cluster.SetBrokerUp(id), $"broker {id} up"));
        app.MapPost(
            "/partitions/{topic}/{partition:int}/leader/{broker:int}",
            (string topic, int partition, int broker, DevClusterService dev) => Run(() => dev.Cluster.SetPartitionLeader(topic, partition, broker), $"{topic}[{partition}] led by broker {broker}"));
        app.MapPost(
            "/topics/{topic}/partitions/{partitions:int}",
            (string topic, int partitions, DevClusterService dev) => partitions is < 1 or > 10_000
                ? Results.Problem("partitions must be between 1 and 10000", statusCode: StatusCodes.Status400BadRequest)
                : Run(() => dev.Cluster.CreateTopic(topic, partitions, dev.Cluster.BrokerCount), $"{topic} created with {partitions} partitions"));
        app.MapGet("/bootstrap", (DevClusterService dev) => Results.Text(dev.Cluster.BootstrapServers));
    }

    private static IResult Run(Action change, string what)
    {
        try
        {
            change();
            return Results.Text(what + Environment.NewLine);
        }
        catch (InvalidOperationException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }
}
