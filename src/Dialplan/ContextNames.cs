namespace Did.Dialplan;

/// <summary>The naming scheme of generated contexts and queues. One place, so the renderer, the linter
/// tests and the verifier agree.
/// <list type="bullet">
/// <item><c>from-trunk-external</c>: where the trunk delivers DIDs; one pattern per shard plus the fallbacks.</item>
/// <item><c>did-&lt;prefix&gt;</c>: the numbers whose digits are &lt;prefix&gt; followed by ShardDigits digits
/// (<c>did-1555123</c> holds +1555123000..+1555123999). The prefix length fixes the number length, so numbers of
/// different lengths never share a shard. Numbers with no more digits than ShardDigits go to
/// <c>did-len&lt;n&gt;</c> (letters cannot clash with a digit prefix).</item>
/// <item><c>tenant-&lt;slug&gt;</c>: the users' extensions; also the voicemail context of the tenant.</item>
/// <item><c>tenant-&lt;slug&gt;-ivr-&lt;name&gt;</c>, <c>tenant-&lt;slug&gt;-queue-&lt;name&gt;</c>: IVRs and queues.</item>
/// <item>queues.conf section <c>&lt;slug&gt;-&lt;name&gt;</c>.</item>
/// </list>
/// Slugs may contain '-', so two names can coincide (tenant "acme-ivr-x" vs IVR "x" of tenant "acme");
/// the renderer refuses such collisions instead of letting one tenant's context shadow another's.</summary>
public static class ContextNames
{
    public const string FromTrunk = "from-trunk-external";
    public const string ShardPrefix = "did-";

    public static string Tenant(string slug) => "tenant-" + slug;
    public static string Ivr(string slug, string name) => "tenant-" + slug + "-ivr-" + name;
    public static string Queue(string slug, string name) => "tenant-" + slug + "-queue-" + name;
    public static string QueueSection(string slug, string name) => slug + "-" + name;

    /// <summary>The shard context of an E.164 number (with '+').</summary>
    public static string Shard(string number, int shardDigits)
    {
        var digits = number.Length - 1;
        return digits <= shardDigits
            ? ShardPrefix + "len" + digits.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : ShardPrefix + number.Substring(1, digits - shardDigits);
    }
}
