using Did.Dialplan;

namespace Did.Features.Apply;

/// <summary>Whether two tenant parts, or two whole snapshots, hold the same data in the same order, list by list: two
/// such parts have the same canonical form (<see cref="DeployedState.Canonical"/>), so the same stored bytes, and two such
/// snapshots render to the same files (<see cref="LastRender"/>). Each record is compared by its own
/// value equality after taking the other's lists, and the lists element by element; so a field added to a record later
/// is compared too (a list one by reference), and two different parts are never taken for the same.</summary>
public static class SamePart
{
    public static bool Equal(TenantPart a, TenantPart b) => ReferenceEquals(a, b) ||
        a with { Tenant = b.Tenant, Numbers = b.Numbers, Quarantined = b.Quarantined } == b
        && Equal(a.Tenant, b.Tenant) && Lists(a.Numbers, b.Numbers, Equal) && Lists(a.Quarantined, b.Quarantined, (x, y) => x == y);

    public static bool Equal(DialplanSnapshot a, DialplanSnapshot b) =>
        a with { Tenants = b.Tenants, Numbers = b.Numbers, Quarantined = b.Quarantined } == b
        && Lists(a.Tenants, b.Tenants, Equal) && Lists(a.Numbers, b.Numbers, Equal) && Lists(a.Quarantined, b.Quarantined, (x, y) => x == y);

    // A snapshot read again keeps the records of every tenant whose rows did not change (SnapshotMemory).
    private static bool Equal(TenantSnapshot a, TenantSnapshot b) => ReferenceEquals(a, b) ||
        a with { Users = b.Users, Ivrs = b.Ivrs, Queues = b.Queues, Schedules = b.Schedules } == b
        && Lists(a.Users, b.Users, (x, y) => x == y) && Lists(a.Ivrs, b.Ivrs, Equal) && Lists(a.Queues, b.Queues, Equal)
        && Lists(a.Schedules, b.Schedules, Equal);

    private static bool Equal(IvrSnapshot a, IvrSnapshot b) =>
        a with { Options = b.Options } == b && a.Options.Count == b.Options.Count
        && a.Options.All(o => b.Options.TryGetValue(o.Key, out var other) && o.Value == other);

    private static bool Equal(QueueSnapshot a, QueueSnapshot b) =>
        a with { MemberUserIds = b.MemberUserIds } == b && Lists(a.MemberUserIds, b.MemberUserIds, (x, y) => x == y);

    private static bool Equal(ScheduleSnapshot a, ScheduleSnapshot b) =>
        a with { Open = b.Open, Closed = b.Closed } == b && Lists(a.Open, b.Open, (x, y) => x == y) && Lists(a.Closed, b.Closed, (x, y) => x == y);

    // Most numbers are plain routes: compared without a copy.
    private static bool Equal(RoutedNumber a, RoutedNumber b) => (a.Options, b.Options) switch
    {
        (null, null) => a == b,
        ({ } x, { } y) => a with { Options = y } == b && x with { Rules = y.Rules } == y && Lists(x.Rules, y.Rules, (r, s) => r == s),
        _ => false,
    };

    private static bool Lists<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b, Func<T, T, bool> equal)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (!equal(a[i], b[i])) return false;
        return true;
    }
}
