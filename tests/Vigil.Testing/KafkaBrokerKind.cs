namespace Vigil.Testing;

/// <summary>Which broker integration tests run against.</summary>
public enum KafkaBrokerKind
{
    Embedded,
    Container,
}
