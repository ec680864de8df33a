namespace Vigil.Redis;

/// <summary>How the configured Redis deployment is laid out.</summary>
public enum RedisMode
{
    /// <summary>One primary, optionally with replicas listed as further endpoints.</summary>
    Standalone,

    /// <summary>Redis Cluster: the endpoints are seed nodes, the rest of the cluster is discovered.</summary>
    Cluster,
}
