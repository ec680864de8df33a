using System.Net;

namespace Vigil.SchemaRegistry;

/// <summary>
/// The Schema Registry answered with an error; <see cref="ErrorCode"/> is its error_code
/// (e.g. 40401 subject not found, 409 incompatible schema, 42201 invalid schema).
/// </summary>
public sealed class SchemaRegistryException(HttpStatusCode statusCode, int errorCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The registry's error_code, or the HTTP status code when the body carried none.</summary>
    public int ErrorCode { get; } = errorCode;
}
