using System.Buffers;
using System.Globalization;
using System.Text;

namespace Did.Tests.Fakes;

/// <summary>Builds AMI packets byte-exactly: <c>Key: Value</c> CRLF lines (an empty value keeps its trailing space),
/// then the empty line.</summary>
internal sealed class FakeAmiPacket
{
    private readonly StringBuilder _sb = new(128);

    public static FakeAmiPacket Response(string response, string? actionId)
    {
        var p = new FakeAmiPacket().Add("Response", response);
        return actionId is null ? p : p.Add("ActionID", actionId);
    }

    public static FakeAmiPacket Event(string name, string privilege) => new FakeAmiPacket().Add("Event", name).Add("Privilege", privilege);

    public FakeAmiPacket Add(string key, string value)
    {
        _sb.Append(key).Append(": ").Append(value).Append("\r\n");
        return this;
    }

    public FakeAmiPacket Add(string key, long value) => Add(key, value.ToString(CultureInfo.InvariantCulture));

    public FakeAmiPacket AddRaw(string text)
    {
        _sb.Append(text);
        return this;
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(_sb.ToString() + "\r\n");

    public void WriteTo(IBufferWriter<byte> output) => output.Write(ToBytes());

    public static string Timestamp(DateTimeOffset now) =>
        (now.ToUnixTimeMilliseconds() / 1000).ToString(CultureInfo.InvariantCulture) + "."
        + (now.Ticks / 10 % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    public static string EventTv(DateTimeOffset now) =>
        now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000";
}
