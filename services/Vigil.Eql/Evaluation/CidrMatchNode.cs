using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary><c>cidrMatch(ip, "10.0.0.0/8", ...)</c>: true when any address value lies in any block; null for a missing address.</summary>
internal sealed class CidrMatchNode<TEvent>(ValueNode<TEvent> address, CidrBlock[] blocks) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document)
    {
        var value = address.Evaluate(document);
        if (value.IsNull)
        {
            return EqlValue.Null;
        }

        Span<byte> buffer = stackalloc byte[16];
        for (var i = 0; i < value.Count; i++)
        {
            var item = value.ItemAt(i);
            if (item.Kind != EqlValueKind.String || !CidrBlock.TryReadAddress(item.AsString, buffer, out var length))
            {
                continue;
            }

            foreach (var block in blocks)
            {
                if (block.Contains(buffer[..length]))
                {
                    return EqlValue.True;
                }
            }
        }

        return EqlValue.False;
    }
}
