namespace Did.Dialplan;

/// <summary>The names the renderer gives to dialplan contexts and queues. One place, so the renderer, the EXTERNAL
/// parser, the dry-run filter and the tests agree.
/// <list type="bullet">
/// <item><c>from-trunk-external</c>: where the trunk delivers DIDs; one pattern per shard plus the fallbacks.</item>
/// <item><c>did-&lt;prefix&gt;</c>: the numbers whose digits are &lt;prefix&gt; followed by ShardDigits digits
/// (<c>did-1555123</c> holds +1555123000..+1555123999). The prefix length fixes the number length, so numbers of
/// different lengths never share a shard. Numbers with no more digits than ShardDigits go to
/// <c>did-len&lt;n&gt;</c> (letters cannot clash with a digit prefix).</item>
/// <item><c>tenant-&lt;slug&gt;</c>: the users' extensions; also the voicemail context of the tenant.</item>
/// <item><c>&lt;slug&gt;_ivr_&lt;name&gt;</c>, <c>&lt;slug&gt;_queue_&lt;name&gt;</c>: IVRs and queues.</item>
/// <item><c>&lt;slug&gt;_members</c>: how the tenant's queues ring a member: the phone only, no voicemail, no forwarding.</item>
/// <item><c>&lt;slug&gt;_sched_&lt;name&gt;</c>: a schedule, entered with Gosub; it returns OPEN, CLOSED or HOLIDAY.</item>
/// <item>queues.conf section (the Queue() name) <c>&lt;slug&gt;_&lt;name&gt;</c>.</item>
/// </list>
/// Collision-free by construction: slugs and IVR/queue names are <c>[a-z0-9-]</c>, so in a name with '_' the first '_'
/// ends the slug, the word after it is the kind and the rest is the object's name; platform contexts and
/// <c>tenant-&lt;slug&gt;</c> have no '_'. Every name fits in <see cref="MaxLength"/> (slug 31 + "_queue_" + name 40 = 78),
/// which is why IVRs, queues and schedules do not carry the "tenant-" prefix, and why a schedule's kind word is the
/// short "sched" ("_schedule_" would make 81). All names are lowercase, so app_queue's
/// case-insensitive queue lookup cannot join two of them either.</summary>
public static class ContextNames
{
    /// <summary>Asterisk keeps a context or queues.conf section name in an 80-byte buffer and cuts longer ones
    /// silently, so two long names that differ only after this length would become one.</summary>
    public const int MaxLength = 79;

    public const string FromTrunk = "from-trunk-external";
    public const string ShardPrefix = "did-";
    internal const string TenantPrefix = "tenant-";
    private const string IvrInfix = "_ivr_";
    private const string QueueInfix = "_queue_";
    private const string MembersSuffix = "_members";
    private const string ScheduleInfix = "_sched_";

    public static string Tenant(string slug) => TenantPrefix + slug;
    public static string Ivr(string slug, string name) => slug + IvrInfix + name;
    public static string Queue(string slug, string name) => slug + QueueInfix + name;
    public static string Members(string slug) => slug + MembersSuffix;
    public static string QueueSection(string slug, string name) => slug + "_" + name;
    public static string Schedule(string slug, string name) => slug + ScheduleInfix + name;

    /// <summary>The shard context of an E.164 number (with '+').</summary>
    public static string Shard(string number, int shardDigits)
    {
        var digits = number.Length - 1;
        return digits <= shardDigits
            ? ShardPrefix + "len" + digits.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : ShardPrefix + number.Substring(1, digits - shardDigits);
    }

    /// <summary>did-&lt;digits&gt; or did-len&lt;digits&gt;: a shard, which holds the numbers of every tenant.</summary>
    public static bool IsShard(ReadOnlySpan<char> name)
    {
        if (!name.StartsWith(ShardPrefix, StringComparison.Ordinal)) return false;
        var rest = name[ShardPrefix.Length..];
        if (rest.StartsWith("len", StringComparison.Ordinal)) rest = rest[3..];
        return Grammar.AllDigits(rest);
    }

    /// <summary>The contexts of a tenant that a Goto may enter: its users, its IVRs and its queues (not the members
    /// context, which is how a queue rings a phone, not a destination).</summary>
    public static bool IsDestinationOf(ReadOnlySpan<char> context, string slug)
    {
        if (context.StartsWith(TenantPrefix, StringComparison.Ordinal)) return context[TenantPrefix.Length..].SequenceEqual(slug);
        if (!context.StartsWith(slug, StringComparison.Ordinal)) return false;
        var rest = context[slug.Length..];
        if (rest.StartsWith(IvrInfix, StringComparison.Ordinal)) return Grammar.IsObjectName(rest[IvrInfix.Length..]);
        if (rest.StartsWith(QueueInfix, StringComparison.Ordinal)) return Grammar.IsObjectName(rest[QueueInfix.Length..]);
        return false;
    }

    /// <summary>The tenant destination a context is by the naming scheme: a tenant's users (<c>tenant-&lt;slug&gt;</c>: USER, no
    /// name), one of its IVRs or queues (IVR/QUEUE and the name); null for any other context (shards, members, schedules).</summary>
    public static (AssignmentType Type, string Slug, string? Name)? Destination(string context)
    {
        if (context.StartsWith(TenantPrefix, StringComparison.Ordinal))
            return Grammar.IsSlug(context.AsSpan(TenantPrefix.Length)) ? (AssignmentType.User, context[TenantPrefix.Length..], null) : null;
        var underscore = context.IndexOf('_');
        if (underscore <= 0 || !Grammar.IsSlug(context.AsSpan(0, underscore))) return null;
        var rest = context.AsSpan(underscore);
        if (rest.StartsWith(IvrInfix, StringComparison.Ordinal) && Grammar.IsObjectName(rest[IvrInfix.Length..]))
            return (AssignmentType.Ivr, context[..underscore], rest[IvrInfix.Length..].ToString());
        if (rest.StartsWith(QueueInfix, StringComparison.Ordinal) && Grammar.IsObjectName(rest[QueueInfix.Length..]))
            return (AssignmentType.Queue, context[..underscore], rest[QueueInfix.Length..].ToString());
        return null;
    }

    /// <summary>The tenant slug and queue name of a queues.conf section (<c>&lt;slug&gt;_&lt;name&gt;</c>), or null.</summary>
    public static (string Slug, string Name)? FromQueueSection(string section)
    {
        var underscore = section.IndexOf('_');
        if (underscore <= 0 || !Grammar.IsSlug(section.AsSpan(0, underscore)) || !Grammar.IsObjectName(section.AsSpan(underscore + 1))) return null;
        return (section[..underscore], section[(underscore + 1)..]);
    }

    /// <summary>Names a context of the platform's naming scheme after '_' (kind word and object name) of some tenant:
    /// the slug it names, or null when <paramref name="token"/> does not have that shape. Used to find references to
    /// other tenants' IVR, queue, schedule and members contexts in EXTERNAL arguments; case-insensitive on the kind word, so an
    /// upper-case spelling is still recognised as a reference.</summary>
    public static string? TenantOfDerived(string token)
    {
        var underscore = token.IndexOf('_');
        if (underscore <= 0) return null;
        var rest = token.AsSpan(underscore);
        var derived = rest.StartsWith(IvrInfix, StringComparison.OrdinalIgnoreCase)
                      || rest.StartsWith(QueueInfix, StringComparison.OrdinalIgnoreCase)
                      || rest.StartsWith(ScheduleInfix, StringComparison.OrdinalIgnoreCase)
                      || rest.Equals(MembersSuffix, StringComparison.OrdinalIgnoreCase);
        return derived ? token[..underscore] : null;
    }

    /// <summary>The current name of an IVR or queue context written the way earlier releases named it
    /// (<c>tenant-&lt;slug&gt;-ivr-&lt;name&gt;</c>, <c>tenant-&lt;slug&gt;-queue-&lt;name&gt;</c>), or null. Unambiguous for the
    /// tenant <paramref name="slug"/> because no slug may contain "-ivr-" or "-queue-".</summary>
    public static string? FromLegacy(string context, string slug)
    {
        var own = TenantPrefix + slug;
        if (!context.StartsWith(own, StringComparison.Ordinal)) return null;
        var rest = context.AsSpan(own.Length);
        if (rest.StartsWith("-ivr-", StringComparison.Ordinal) && Grammar.IsObjectName(rest[5..])) return Ivr(slug, rest[5..].ToString());
        if (rest.StartsWith("-queue-", StringComparison.Ordinal) && Grammar.IsObjectName(rest[7..])) return Queue(slug, rest[7..].ToString());
        return null;
    }
}
