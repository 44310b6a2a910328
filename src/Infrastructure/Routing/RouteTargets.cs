using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Errors;
using Npgsql;

namespace Did.Infrastructure.Routing;

/// <summary>One target a route or IVR key points at, with the request field it came from (for the error message).</summary>
public sealed record RouteTarget(string Field, DestinationType Type, Guid Id);

/// <summary>Checks in one round trip that every referenced user, IVR and queue exists in the given tenant.
/// Another tenant's object gets the same answer as a missing one, so existence never leaks across tenants.
/// The composite foreign keys back this up inside the database, an extension included (a user key references users
/// that ring, migration M0035). The users are read <c>FOR SHARE</c>, so a concurrent PATCH that removes a user's
/// extension (which holds the user's row lock while it checks nothing refers to the user) is waited for and its result
/// read here: the field gets its 400, where without the lock the key would refuse the write with a 409. The IVRs and
/// queues are read <c>FOR KEY SHARE</c>, the lock the keys' foreign keys take anyway: a delete under way is waited for and
/// its row then reads as missing (400 naming the field), instead of failing the write's foreign key with the delete's 409.</summary>
public static class RouteTargets
{
    public static async Task EnsureInTenantAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid tenantId,
        IReadOnlyCollection<RouteTarget> targets, CancellationToken ct)
    {
        if (targets.Count == 0) return;
        Guid[] Ids(DestinationType t) => targets.Where(x => x.Type == t).Select(x => x.Id).Distinct().ToArray();
        using var r = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT id, extension FROM users WHERE tenant_id = @tenantId AND id = ANY(@users) FOR SHARE;
            SELECT id FROM ivrs WHERE tenant_id = @tenantId AND id = ANY(@ivrs) FOR KEY SHARE;
            SELECT id FROM queues WHERE tenant_id = @tenantId AND id = ANY(@queues) FOR KEY SHARE;
            """, new { tenantId, users = Ids(DestinationType.User), ivrs = Ids(DestinationType.Ivr), queues = Ids(DestinationType.Queue) },
            tx, cancellationToken: ct));
        var users = (await r.ReadAsync<(Guid Id, string? Extension)>()).ToDictionary(u => u.Id, u => u.Extension);
        var ivrs = (await r.ReadAsync<Guid>()).ToHashSet();
        var queues = (await r.ReadAsync<Guid>()).ToHashSet();

        var errors = new Dictionary<string, string[]>();
        foreach (var t in targets)
        {
            var found = t.Type switch
            {
                DestinationType.User => users.ContainsKey(t.Id),
                DestinationType.Ivr => ivrs.Contains(t.Id),
                DestinationType.Queue => queues.Contains(t.Id),
                _ => true,
            };
            if (Error(t, found, t.Type != DestinationType.User || !found || users[t.Id] is not null) is { } error)
                errors[t.Field] = [error];
        }
        if (errors.Count > 0) throw Invalid(errors);
    }

    /// <summary>Why a target cannot be routed to, or null if it can: missing (or in another tenant, which reads the
    /// same), or a user without an extension.</summary>
    public static string? Error(RouteTarget t, bool found, bool ringable) => (t.Type, found, ringable) switch
    {
        (DestinationType.User, false, _) => $"User {t.Id} not found or not in your tenant.",
        (DestinationType.User, true, false) => $"User {t.Id} has no extension, so calls cannot ring it.",
        (DestinationType.Ivr, false, _) => $"IVR {t.Id} not found or not in your tenant.",
        (DestinationType.Queue, false, _) => $"Queue {t.Id} not found or not in your tenant.",
        _ => null,
    };

    public static ProblemException Invalid(Dictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "One or more validation errors occurred.",
            string.Join(" ", errors.SelectMany(e => e.Value)), new Dictionary<string, object?> { ["errors"] = errors });
}
