namespace Vigil.Messaging;

/// <summary>Turns a message into record value bytes.</summary>
public interface IRecordEncoder<in T>
{
    byte[] Encode(T message);
}
