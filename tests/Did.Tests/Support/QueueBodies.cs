namespace Did.Tests.Support;

/// <summary>Bodies of POST /api/v1/queues for tests that need a queue but are not about its fields, built in one place so
/// that a renamed field is one line to change here.</summary>
public static class QueueBodies
{
    /// <summary>How long the queue rings one member, in seconds.</summary>
    public const string TimeoutField = "member_ring_seconds";

    public static Dictionary<string, object?> Create(string name, Guid? tenantId = null, string strategy = "RINGALL") => new()
    {
        ["name"] = name,
        ["strategy"] = strategy,
        [TimeoutField] = 15,
        ["tenant_id"] = tenantId,
    };
}
