using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>One tenant's part of a dialplan snapshot: the tenant with its users, IVRs, queues and schedules, the
/// numbers it routes, and the numbers taken from it that rest in quarantine (null: none). Parts are independent: nothing
/// of one tenant refers to another.</summary>
public sealed record TenantPart(TenantSnapshot Tenant, IReadOnlyList<RoutedNumber> Numbers, IReadOnlyList<QuarantinedNumber>? Quarantined = null);

/// <summary>A snapshot to deploy, each tenant's part of it, and the tenants whose part is exactly the deployed one.</summary>
public sealed record ScopedParts(DialplanSnapshot Snapshot, IReadOnlyDictionary<Guid, TenantPart> Parts, IReadOnlySet<Guid> AsDeployed);

/// <summary>What a scoped apply deploys: the tenants in its scope as the database has them now, every other tenant as it
/// was last deployed. Pure: data in, data out.</summary>
public static class ScopedSnapshot
{
    /// <summary>The snapshot to render and the part of every tenant it holds. A tenant outside the scope keeps its deployed
    /// part, less what the database now gives to a tenant in the scope: a number that tenant routes (the number was
    /// released and allocated again), and its whole part if the slug is now an in-scope tenant's (a deleted tenant's
    /// slug taken by a new one). The database decides who holds a number or a slug; a stale route never outlives that.
    /// Quarantined numbers whose tenant is gone belong to no part: every apply takes them from the database.</summary>
    public static ScopedParts Build(DialplanSnapshot current, IReadOnlyDictionary<Guid, TenantPart> deployed, ApplyScope scope)
    {
        var now = Split(current);
        if (scope.IsPlatform) return new ScopedParts(current, now, new HashSet<Guid>());
        var unowned = Unowned(current);

        var parts = new Dictionary<Guid, TenantPart>();
        foreach (var (id, part) in now)
            if (scope.Covers(id)) parts[id] = part;
        var takenNumbers = parts.Values.SelectMany(p => p.Numbers.Select(n => n.Number).Concat((p.Quarantined ?? []).Select(q => q.Number)))
            .Concat(unowned.Select(q => q.Number)).ToHashSet(StringComparer.Ordinal);
        var takenSlugs = parts.Values.Select(p => p.Tenant.Slug).ToHashSet(StringComparer.Ordinal);
        var asDeployed = new HashSet<Guid>();
        foreach (var (id, part) in deployed)
        {
            if (scope.Covers(id) || takenSlugs.Contains(part.Tenant.Slug)) continue;
            if (part.Numbers.Any(n => takenNumbers.Contains(n.Number)) || (part.Quarantined ?? []).Any(q => takenNumbers.Contains(q.Number)))
                parts[id] = part with
                {
                    Numbers = [.. part.Numbers.Where(n => !takenNumbers.Contains(n.Number))],
                    Quarantined = part.Quarantined?.Where(q => !takenNumbers.Contains(q.Number)).ToList() is { Count: > 0 } kept ? kept : null,
                };
            else
            {
                parts[id] = part;
                asDeployed.Add(id);
            }
        }
        return new ScopedParts(Join(parts.Values, unowned), parts, asDeployed);
    }

    /// <summary>Each tenant's part of <paramref name="snapshot"/>; a number of a tenant the snapshot lacks is left out, as
    /// the renderer would leave it out.</summary>
    public static Dictionary<Guid, TenantPart> Split(DialplanSnapshot snapshot)
    {
        var numbers = snapshot.Numbers.ToLookup(n => n.TenantId);
        var quarantined = (snapshot.Quarantined ?? []).ToLookup(q => q.FromTenantId);
        return snapshot.Tenants.ToDictionary(t => t.Id, t => new TenantPart(t, [.. numbers[t.Id]],
            quarantined[t.Id].ToList() is { Count: > 0 } rest ? rest : null));
    }

    /// <summary>The quarantined numbers of <paramref name="snapshot"/> whose tenant is not in it (deleted since).</summary>
    public static List<QuarantinedNumber> Unowned(DialplanSnapshot snapshot)
    {
        var tenants = snapshot.Tenants.Select(t => t.Id).ToHashSet();
        return [.. (snapshot.Quarantined ?? []).Where(q => q.FromTenantId is not { } from || !tenants.Contains(from))];
    }

    public static DialplanSnapshot Join(IEnumerable<TenantPart> parts, IEnumerable<QuarantinedNumber>? unowned = null)
    {
        var list = parts.OrderBy(p => p.Tenant.Slug, StringComparer.Ordinal).ToList();
        var quarantined = list.SelectMany(p => p.Quarantined ?? []).Concat(unowned ?? []).OrderBy(q => q.Number, StringComparer.Ordinal).ToList();
        return new DialplanSnapshot([.. list.Select(p => p.Tenant)], [.. list.SelectMany(p => p.Numbers)], quarantined.Count > 0 ? quarantined : null);
    }
}
