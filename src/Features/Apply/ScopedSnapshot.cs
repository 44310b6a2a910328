using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>One tenant's part of a dialplan snapshot: the tenant with its users, IVRs, queues and schedules, and the
/// numbers it routes. Parts are independent: nothing of one tenant refers to another.</summary>
public sealed record TenantPart(TenantSnapshot Tenant, IReadOnlyList<RoutedNumber> Numbers);

/// <summary>A snapshot to deploy, each tenant's part of it, and the tenants whose part is exactly the deployed one.</summary>
public sealed record ScopedParts(DialplanSnapshot Snapshot, IReadOnlyDictionary<Guid, TenantPart> Parts, IReadOnlySet<Guid> AsDeployed);

/// <summary>What a scoped apply deploys: the tenants in its scope as the database has them now, every other tenant as it
/// was last deployed. Pure: data in, data out.</summary>
public static class ScopedSnapshot
{
    /// <summary>The snapshot to render and the part of every tenant it holds. A tenant outside the scope keeps its deployed
    /// part, less what the database now gives to a tenant in the scope: a number that tenant routes (the number was
    /// released and allocated again), and its whole part if the slug is now an in-scope tenant's (a deleted tenant's
    /// slug taken by a new one). The database decides who holds a number or a slug; a stale route never outlives that.</summary>
    public static ScopedParts Build(DialplanSnapshot current, IReadOnlyDictionary<Guid, TenantPart> deployed, ApplyScope scope)
    {
        var now = Split(current);
        if (scope.IsPlatform) return new ScopedParts(current, now, new HashSet<Guid>());

        var parts = new Dictionary<Guid, TenantPart>();
        foreach (var (id, part) in now)
            if (scope.Covers(id)) parts[id] = part;
        var takenNumbers = parts.Values.SelectMany(p => p.Numbers).Select(n => n.Number).ToHashSet(StringComparer.Ordinal);
        var takenSlugs = parts.Values.Select(p => p.Tenant.Slug).ToHashSet(StringComparer.Ordinal);
        var asDeployed = new HashSet<Guid>();
        foreach (var (id, part) in deployed)
        {
            if (scope.Covers(id) || takenSlugs.Contains(part.Tenant.Slug)) continue;
            if (part.Numbers.Any(n => takenNumbers.Contains(n.Number)))
                parts[id] = part with { Numbers = [.. part.Numbers.Where(n => !takenNumbers.Contains(n.Number))] };
            else
            {
                parts[id] = part;
                asDeployed.Add(id);
            }
        }
        return new ScopedParts(Join(parts.Values), parts, asDeployed);
    }

    /// <summary>Each tenant's part of <paramref name="snapshot"/>; a number of a tenant the snapshot lacks is left out, as
    /// the renderer would leave it out.</summary>
    public static Dictionary<Guid, TenantPart> Split(DialplanSnapshot snapshot)
    {
        var numbers = snapshot.Numbers.ToLookup(n => n.TenantId);
        return snapshot.Tenants.ToDictionary(t => t.Id, t => new TenantPart(t, [.. numbers[t.Id]]));
    }

    public static DialplanSnapshot Join(IEnumerable<TenantPart> parts)
    {
        var list = parts.OrderBy(p => p.Tenant.Slug, StringComparer.Ordinal).ToList();
        return new DialplanSnapshot([.. list.Select(p => p.Tenant)], [.. list.SelectMany(p => p.Numbers)]);
    }
}
