using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Errors;
using Npgsql;

namespace Did.Infrastructure.Routing;

/// <summary>One target a route or IVR key points at, with the request field it came from (for the error message).</summary>
public sealed record RouteTarget(string Field, DestinationType Type, Guid Id);

/// <summary>Checks in one round trip that every referenced user, IVR and queue exists in the given tenant.
/// Another tenant's object gets the same answer as a missing one, so existence never leaks across tenants.
/// The composite foreign keys back this up inside the database.</summary>
public static class RouteTargets
{
    public static async Task EnsureInTenantAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid tenantId,
        IReadOnlyCollection<RouteTarget> targets, CancellationToken ct)
    {
        if (targets.Count == 0) return;
        Guid[] Ids(DestinationType t) => targets.Where(x => x.Type == t).Select(x => x.Id).Distinct().ToArray();
        using var r = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT id, extension FROM users WHERE tenant_id = @tenantId AND id = ANY(@users);
            SELECT id FROM ivrs WHERE tenant_id = @tenantId AND id = ANY(@ivrs);
            SELECT id FROM queues WHERE tenant_id = @tenantId AND id = ANY(@queues);
            """, new { tenantId, users = Ids(DestinationType.User), ivrs = Ids(DestinationType.Ivr), queues = Ids(DestinationType.Queue) },
            tx, cancellationToken: ct));
        var users = (await r.ReadAsync<(Guid Id, string? Extension)>()).ToDictionary(u => u.Id, u => u.Extension);
        var ivrs = (await r.ReadAsync<Guid>()).ToHashSet();
        var queues = (await r.ReadAsync<Guid>()).ToHashSet();

        var errors = new Dictionary<string, string[]>();
        foreach (var t in targets)
        {
            string? error = t.Type switch
            {
                DestinationType.User when !users.TryGetValue(t.Id, out var ext) => $"User {t.Id} not found or not in your tenant.",
                DestinationType.User when users[t.Id] is null => $"User {t.Id} has no extension, so calls cannot ring it.",
                DestinationType.Ivr when !ivrs.Contains(t.Id) => $"IVR {t.Id} not found or not in your tenant.",
                DestinationType.Queue when !queues.Contains(t.Id) => $"Queue {t.Id} not found or not in your tenant.",
                _ => null,
            };
            if (error is not null) errors[t.Field] = [error];
        }
        if (errors.Count > 0)
            throw new ProblemException(StatusCodes.Status400BadRequest, "One or more validation errors occurred.",
                string.Join(" ", errors.SelectMany(e => e.Value)), new Dictionary<string, object?> { ["errors"] = errors });
    }
}
