using System.Runtime.InteropServices;

namespace Did.Dialplan;

internal sealed partial class DialplanModel
{
    private sealed partial class Builder
    {
        // ---- What the ids of users, IVRs and queues resolve to ----
        // Only users that something references (a number, a rule, a failover, an IVR destination, a queue member) are
        // indexed: a platform has far more users than references. Even so the index of users is the largest table of a
        // render, so it holds only a user's tenant and extension rather than a whole target, and a user's target is made
        // when asked for. IVRs and queues, a few per tenant, are indexed with their targets.

        // A user not yet checked (or an id that no user has).
        private static readonly (int Tenant, string? Extension) Unchecked = (-1, null);

        // Every referenced id, with the user that has it once that user is checked: its tenant's index in sorted order and
        // its extension (null: none). The extension is held here, not read from the user's snapshot when asked for, because
        // every number to a user asks, and the users' snapshots lie all over the heap.
        private readonly Dictionary<Guid, (int Tenant, string? Extension)> _users = Referenced(snapshot);
        private readonly Dictionary<Guid, Target> _objects = new();

        /// <summary>What <paramref name="id"/> resolves to, if a checked user, IVR or queue has it. Asked only once the
        /// tenants are checked.</summary>
        private bool TryTarget(Guid id, out Target target)
        {
            if (_objects.TryGetValue(id, out target)) return true;
            if (!_users.TryGetValue(id, out var at) || at == Unchecked) return false;
            target = new Target(at.Tenant, DestinationType.User, _tenants[at.Tenant].Context, at.Extension);
            return true;
        }

        /// <summary>What an id that is known to resolve (a number's checked default) resolves to.</summary>
        private Target TargetOf(Guid id) => TryTarget(id, out var target) ? target : throw new InvalidOperationException($"id {id} does not resolve");

        private bool IsTaken(Guid id) => _objects.ContainsKey(id) || _users.TryGetValue(id, out var at) && at != Unchecked;

        /// <summary>Indexes a referenced user of tenant <paramref name="tenant"/> (its index in sorted order).</summary>
        private void AddUser(Guid tenantId, string where, Guid id, int tenant, string extension)
        {
            // Referenced, so the id is in the table: one lookup finds its entry, which is then set in place.
            ref var at = ref CollectionsMarshal.GetValueRefOrNullRef(_users, id);
            if (at != Unchecked || _objects.ContainsKey(id)) Refuse(tenantId, $"{where}: id {id} is used by two objects");
            else at = (tenant, string.IsNullOrEmpty(extension) ? null : extension);
        }

        private void AddObject(Guid tenantId, string where, Guid id, Target target)
        {
            if (IsTaken(id)) Refuse(tenantId, $"{where}: id {id} is used by two objects");
            else _objects.Add(id, target);
        }

        private static Dictionary<Guid, (int Tenant, string? Extension)> Referenced(DialplanSnapshot snapshot)
        {
            var ids = new Dictionary<Guid, (int Tenant, string? Extension)>(snapshot.Numbers.Count);
            void Add(Guid id) => ids.TryAdd(id, Unchecked);
            foreach (var n in snapshot.Numbers)
            {
                if (n.TargetId is { } id) Add(id);
                if (n.Options is not { } o) continue;
                if (o.Failover?.Id is { } failover) Add(failover);
                // Indexed, not foreach: the list's enumerator would be an object per number with rules.
                var rules = o.Rules ?? [];
                for (var i = 0; i < rules.Count; i++) if (rules[i]?.Destination?.Id is { } ruleTarget) Add(ruleTarget);
            }
            foreach (var t in snapshot.Tenants)
            {
                foreach (var ivr in t.Ivrs)
                {
                    foreach (var d in ivr.Options?.Values ?? []) if (d?.Id is { } id) Add(id);
                    if (ivr.TimeoutDestination?.Id is { } timeout) Add(timeout);
                    if (ivr.InvalidDestination?.Id is { } invalid) Add(invalid);
                }
                foreach (var q in t.Queues)
                    foreach (var id in q.MemberUserIds ?? []) Add(id);
            }
            return ids;
        }
    }
}

/// <summary>What an id resolves to: its tenant (index in sorted order), kind and the context/extension a Goto needs.</summary>
internal readonly record struct Target(int Tenant, DestinationType Kind, string Context, string? Extension)
{
    public IvrModel? Ivr { get; init; }
    public QueueModel? Queue { get; init; }
    public string GotoText() => $"Goto({Context},{Extension ?? "s"},1)";
}
