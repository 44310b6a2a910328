using System.Text;

namespace Did.Infrastructure.Ami;

/// <summary>An action to send: <c>Action:</c>, then <c>ActionID:</c> (set by the client), then the headers in order.
/// Header values cannot contain CR or LF: that would let a value inject another action.</summary>
public sealed class AmiAction
{
    private readonly List<KeyValuePair<string, string>> _headers = [];

    public AmiAction(string name)
    {
        CheckToken(name, nameof(name));
        Name = name;
    }

    public string Name { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    /// <summary>Headers whose values must not be logged (<c>Secret</c>, <c>Key</c>).</summary>
    internal bool HasSecrets { get; private set; }

    public AmiAction With(string key, string value)
    {
        CheckToken(key, nameof(key));
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException($"AMI header {key} must not contain CR or LF.", nameof(value));
        if (key.Equals("ActionID", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("ActionID is set by the client.", nameof(key));
        if (key.Equals("Secret", StringComparison.OrdinalIgnoreCase) || key.Equals("Key", StringComparison.OrdinalIgnoreCase))
            HasSecrets = true;
        _headers.Add(new(key, value));
        return this;
    }

    internal byte[] Serialize(string actionId)
    {
        var sb = new StringBuilder(64);
        sb.Append("Action: ").Append(Name).Append("\r\nActionID: ").Append(actionId).Append("\r\n");
        foreach (var (k, v) in _headers) sb.Append(k).Append(": ").Append(v).Append("\r\n");
        sb.Append("\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void CheckToken(string value, string param)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, param);
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw new ArgumentException($"'{value}' is not a valid AMI name.", param);
    }
}
