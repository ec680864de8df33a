using System.Text;
using Vigil.Messaging;

namespace Vigil.Cli;

/// <summary>Record values that are JSON documents: UTF-8 text, no framing, as Kafka Connect's JsonConverter (schemas.enable=false) reads them.</summary>
public sealed class Utf8JsonEncoder : IRecordEncoder<string>
{
    public byte[] Encode(string message) => Encoding.UTF8.GetBytes(message);
}
