using System.Text.Json;
using System.Text.Json.Nodes;
using Did.Infrastructure.Json;

namespace Did.Infrastructure.Audit;

/// <summary>Whether an update changed anything, so that a PATCH that changes nothing writes no audit row and leaves
/// updated_at alone.</summary>
public static class AuditChange
{
    /// <summary>True when <paramref name="after"/> differs from <paramref name="before"/> in anything but updated_at.
    /// Both are compared as the API shows them (the objects the audit row would hold), so a value sent again, or a
    /// list that reads back the same, is no change.</summary>
    public static bool Changed<T>(T before, T after) where T : class
    {
        var b = JsonSerializer.SerializeToNode(before, ApiJson.Options)!.AsObject();
        var a = JsonSerializer.SerializeToNode(after, ApiJson.Options)!.AsObject();
        b.Remove("updated_at");
        a.Remove("updated_at");
        return !JsonNode.DeepEquals(b, a);
    }
}
