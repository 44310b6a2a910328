using System.Text;

namespace Did.Infrastructure.Ami;

/// <summary>One AMI packet as received: its <c>Key: Value</c> lines in wire order. Keys may repeat (<c>Output:</c>);
/// lookups ignore the case of keys, as Asterisk does.</summary>
public sealed class AmiMessage
{
    private readonly List<KeyValuePair<string, string>> _fields;

    public AmiMessage(IEnumerable<KeyValuePair<string, string>> fields) => _fields = [.. fields];

    internal AmiMessage(List<KeyValuePair<string, string>> fields, bool takeOwnership) =>
        _fields = takeOwnership ? fields : [.. fields];

    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>The first value of <paramref name="key"/>, or null.</summary>
    public string? this[string key]
    {
        get
        {
            foreach (var (k, v) in _fields)
                if (k.Equals(key, StringComparison.OrdinalIgnoreCase)) return v;
            return null;
        }
    }

    /// <summary>Every value of <paramref name="key"/>, in wire order.</summary>
    public IReadOnlyList<string> GetAll(string key)
    {
        var values = new List<string>();
        foreach (var (k, v) in _fields)
            if (k.Equals(key, StringComparison.OrdinalIgnoreCase)) values.Add(v);
        return values;
    }

    /// <summary>A packet with <c>Event:</c> is an event even when it also carries <c>Response:</c> and an ActionID
    /// (<c>OriginateResponse</c>).</summary>
    public bool IsEvent => this["Event"] is not null;

    public string? EventName => this["Event"];
    public string? Response => this["Response"];
    public string? ActionId => this["ActionID"];
    public string? Message => this["Message"];

    public bool IsSuccess => string.Equals(Response, "Success", StringComparison.OrdinalIgnoreCase);
    public bool IsError => string.Equals(Response, "Error", StringComparison.OrdinalIgnoreCase);

    /// <summary>The packet as AMI text (each line + CRLF, then the empty line).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in _fields) sb.Append(k).Append(": ").Append(v).Append("\r\n");
        return sb.Append("\r\n").ToString();
    }
}
