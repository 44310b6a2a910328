using Microsoft.OpenApi;

namespace Did.Infrastructure.OpenApi;

/// <summary>The document's tags, one per area of the API, in the order a reader meets them, each saying what it
/// covers. A slice names its tag with <c>MapApiGroup(prefix, tag)</c> or <c>WithTags</c>; a tag not listed here is
/// published without a description, which the document test refuses.</summary>
public static class ApiTags
{
    public static readonly IReadOnlyList<(string Name, string Description)> All =
    [
        ("Auth", "Sign in: exchange an email and password for a short-lived bearer token; change your own password."),
        ("API keys", "Long-lived credentials for scripts: sent as 'Authorization: Bearer did_...' wherever a token works, with the key's role in its tenant."),
        ("Tenants", "The PBX's customers. A tenant's slug names its dialplan context (tenant-<slug>) and never changes."),
        ("Users", "People who sign in, and the extensions calls ring. PLATFORM_ADMIN and SUPPORT work across tenants; TENANT_ADMIN and USER belong to one tenant."),
        ("DIDs", "The number inventory: import E.164 numbers, allocate them to a tenant, deallocate them, release them."),
        ("Assignments", "Where an allocated number's inbound calls go: a user, an IVR, a queue, or an allow-listed EXTERNAL application."),
        ("IVRs", "Voice menus: a greeting, then a destination per key (0-9, * and #), on timeout and on an invalid key."),
        ("Queues", "Call queues: callers wait while the members' phones ring by the queue's strategy."),
        ("Schedules", "Opening hours and closed dates in a time zone, which a number's routing rules test (OPEN, CLOSED, HOLIDAY)."),
        ("Apply", "Deploy the dialplan rendered from the database to every Asterisk node, preview what a deploy would change, and read past apply jobs."),
        ("Routing", "Where a call goes, for a caller, at a time: simulated on the dialplan the switches run (or would run after the next apply)."),
        ("Audit", "Who changed what and when: one row per change, written in the same transaction as the change."),
        ("Health", "Liveness and readiness probes for load balancers and orchestrators; no token needed."),
    ];

    /// <summary>The tags the operations use, with their descriptions, in <see cref="All"/>'s order; a tag missing from
    /// <see cref="All"/> follows, undescribed.</summary>
    public static ISet<OpenApiTag> Describe(IEnumerable<string?> used)
    {
        var names = used.OfType<string>().ToHashSet(StringComparer.Ordinal);
        var described = All.Where(t => names.Contains(t.Name)).Select(t => new OpenApiTag { Name = t.Name, Description = t.Description });
        var undescribed = names.Where(n => All.All(t => t.Name != n)).Order(StringComparer.Ordinal).Select(n => new OpenApiTag { Name = n });
        return new HashSet<OpenApiTag>(described.Concat(undescribed));
    }
}
