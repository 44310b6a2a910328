using Did.Dialplan;

namespace Did.Tests.Dialplan;

/// <summary>Snapshots shared by the dialplan tests. Fixed ids, so rendered files are stable.</summary>
internal static class Samples
{
    public static readonly Guid Acme = G(1), Beta = G(2);
    public static readonly Guid Alice = G(11), Bob = G(12), Carol = G(13), Dave = G(21);
    public static readonly Guid MainIvr = G(31), AfterHoursIvr = G(32), SupportQueue = G(41), BetaIvr = G(33);

    public static Guid G(int n) => new($"00000000-0000-0000-0000-{n:D12}");

    /// <summary>Tenant acme (users 1001, 1002 and one without extension, IVRs main and after-hours, queue support),
    /// tenant beta (user 2001, IVR front), and numbers for every assignment type; +15551234573 is a gap.</summary>
    public static DialplanSnapshot Small() => new(
        [
            new TenantSnapshot(Acme, "acme",
                [
                    new UserSnapshot(Alice, "1001"),
                    new UserSnapshot(Bob, "1002"),
                    new UserSnapshot(Carol, ""),
                ],
                [
                    new IvrSnapshot(MainIvr, "main", "custom/acme-welcome", 5,
                        new Dictionary<string, Destination>
                        {
                            ["1"] = new(DestinationType.User, Alice),
                            ["2"] = new(DestinationType.Queue, SupportQueue),
                            ["3"] = new(DestinationType.Ivr, AfterHoursIvr),
                            ["*"] = new(DestinationType.Hangup, null),
                            ["#"] = new(DestinationType.User, Bob),
                        },
                        new Destination(DestinationType.Hangup, null),
                        new Destination(DestinationType.Hangup, null)),
                    new IvrSnapshot(AfterHoursIvr, "after-hours", "custom/acme-closed", 3,
                        new Dictionary<string, Destination> { ["0"] = new(DestinationType.Ivr, MainIvr) },
                        new Destination(DestinationType.User, Bob),
                        new Destination(DestinationType.Ivr, MainIvr)),
                ],
                [new QueueSnapshot(SupportQueue, "support", QueueStrategy.Ringall, 15, [Alice, Bob, Carol])]),
            new TenantSnapshot(Beta, "beta",
                [new UserSnapshot(Dave, "2001")],
                [
                    new IvrSnapshot(BetaIvr, "front", "custom/beta-hello", 4,
                        new Dictionary<string, Destination> { ["1"] = new(DestinationType.User, Dave) },
                        new Destination(DestinationType.Hangup, null),
                        new Destination(DestinationType.Hangup, null)),
                ],
                []),
        ],
        [
            new RoutedNumber("+15551234567", Acme, AssignmentType.User, Alice, null),
            new RoutedNumber("+15557654321", Acme, AssignmentType.Ivr, MainIvr, null),
            new RoutedNumber("+15551234568", Acme, AssignmentType.Queue, SupportQueue, null),
            new RoutedNumber("+15551234569", Acme, AssignmentType.External, null, "VoiceMail(1002)"),
            new RoutedNumber("+15551234570", Acme, AssignmentType.External, null, "Playback(custom/acme-closed)"),
            new RoutedNumber("+15551234571", Acme, AssignmentType.External, null, "Goto(acme_ivr_after-hours,s,1)"),
            new RoutedNumber("+15551234572", Acme, AssignmentType.External, null, "Hangup()"),
            new RoutedNumber("+15551234574", Acme, AssignmentType.External, null, "Busy(20)"),
            new RoutedNumber("+442071234567", Beta, AssignmentType.Ivr, BetaIvr, null),
            new RoutedNumber("+442071234999", Beta, AssignmentType.User, Dave, null),
        ]);
}

internal static class LargeSamples
{
    /// <summary><paramref name="tenants"/> tenants of <paramref name="usersPerTenant"/> users (extensions 1000..), one IVR
    /// and one queue each, and <paramref name="numbers"/> numbers +1200nnnnnnn spread round-robin over the tenants:
    /// mostly users, every 10th an IVR, every 10th+1 a queue, every 10th+2 EXTERNAL.</summary>
    public static DialplanSnapshot Build(int tenants, int usersPerTenant, int numbers)
    {
        var list = new List<TenantSnapshot>(tenants);
        var userIds = new Guid[tenants][];
        for (var t = 0; t < tenants; t++)
        {
            var users = new UserSnapshot[usersPerTenant];
            userIds[t] = new Guid[usersPerTenant];
            for (var u = 0; u < usersPerTenant; u++)
            {
                var id = Id(1, t, u);
                userIds[t][u] = id;
                users[u] = new UserSnapshot(id, (1000 + u).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            var ivr = new IvrSnapshot(Id(2, t, 0), "main", "custom/welcome", 5,
                new Dictionary<string, Destination> { ["1"] = new(DestinationType.User, userIds[t][0]), ["2"] = new(DestinationType.Queue, Id(3, t, 0)) },
                new Destination(DestinationType.Hangup, null), new Destination(DestinationType.Hangup, null));
            var queue = new QueueSnapshot(Id(3, t, 0), "support", QueueStrategy.Rrmemory, 15, [userIds[t][0], userIds[t][Math.Min(1, usersPerTenant - 1)]]);
            list.Add(new TenantSnapshot(Id(0, t, 0), $"t{t:D4}", users, [ivr], [queue]));
        }
        var routed = new RoutedNumber[numbers];
        for (var i = 0; i < numbers; i++)
        {
            var t = i % tenants;
            var number = "+1200" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            routed[i] = (i % 10) switch
            {
                0 => new RoutedNumber(number, Id(0, t, 0), AssignmentType.Ivr, Id(2, t, 0), null),
                1 => new RoutedNumber(number, Id(0, t, 0), AssignmentType.Queue, Id(3, t, 0), null),
                2 => new RoutedNumber(number, Id(0, t, 0), AssignmentType.External, null, $"VoiceMail({1000 + (i / tenants) % usersPerTenant})"),
                _ => new RoutedNumber(number, Id(0, t, 0), AssignmentType.User, userIds[t][(i / tenants) % usersPerTenant], null),
            };
        }
        return new DialplanSnapshot(list, routed);
    }

    private static Guid Id(int kind, int tenant, int item) => new(kind, (short)(tenant >> 16), (short)tenant, BitConverter.GetBytes((long)item));
}
