namespace Did.Tests.Fakes;

/// <summary>An action the fake received: its name and all its headers in order (Login secrets included: it's a test).</summary>
public sealed record FakeAmiActionRecord(string Name, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string? this[string key] =>
        Headers.FirstOrDefault(h => h.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value;
}
