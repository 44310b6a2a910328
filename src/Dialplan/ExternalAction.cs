namespace Did.Dialplan;

/// <summary>The grammar of an EXTERNAL assignment: exactly one application call from an allow-list, read by a parser.
/// Written into the switch's configuration, free text would let a tenant admin run System() on the Asterisk host,
/// inject contexts with a newline or Goto into another tenant; a regex "looks like" check is not enough.
/// <para>Rules, checked in this order (the first failure is reported):
/// not empty; at most 255 characters; printable ASCII only (no newline, CR, tab, NUL); <c>Name(args)</c> with nothing
/// before or after; Name on the allow-list; arguments only <c>[A-Za-z0-9@+._/:-]</c> separated by commas (so no
/// <c>$ [ ] { } ( ) " ' ; \ &amp;</c> or spaces); every tenant context mentioned (<c>tenant-&lt;x&gt;</c>,
/// <c>&lt;x&gt;_ivr_...</c>, <c>&lt;x&gt;_queue_...</c>, <c>&lt;x&gt;_members</c>) is one of the caller's own tenant;
/// then the application's own argument shapes. A Goto into an IVR or queue written the old way
/// (<c>tenant-&lt;slug&gt;-ivr-&lt;name&gt;</c>) is accepted and written the current way (<see cref="ContextNames.FromLegacy"/>).</para></summary>
public static class ExternalAction
{
    public const int MaxLength = 255;

    /// <summary>Checks <paramref name="value"/> for the tenant <paramref name="tenantSlug"/>.</summary>
    public static ExternalActionResult Parse(string? value, string tenantSlug, ExternalActionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(tenantSlug);
        return ParseCore(value, tenantSlug, policy);
    }

    /// <summary>Checks a platform-level action (e.g. the fallback for unknown numbers): same grammar, but it belongs
    /// to no tenant, so any tenant context or mailbox is refused.</summary>
    public static ExternalActionResult ParsePlatform(string? value, ExternalActionPolicy policy) => ParseCore(value, null, policy);

    private static readonly ExternalActionPolicy GotoOnly = new(["Goto"]);

    /// <summary>The extension in the tenant's users context <c>tenant-&lt;slug&gt;</c> that an EXTERNAL action of tenant
    /// <paramref name="tenantSlug"/> sends the call to, at any priority, or null: the action is not a valid Goto there.
    /// The renderer reaches the tenant's user with that extension, if it has one (<see cref="DialplanModel"/>), so a
    /// snapshot must hold that user. Parsed as the renderer parses it; any policy that refuses Goto makes the render
    /// refuse the action instead, so this answers for every policy.</summary>
    public static string? UserExtension(string? value, string tenantSlug)
    {
        ArgumentNullException.ThrowIfNull(tenantSlug);
        if (ParseCore(value, tenantSlug, GotoOnly).Action is not { Application: "Goto" } call) return null;
        return call.Arguments[0] == ContextNames.Tenant(tenantSlug) ? call.Arguments[1] : null;
    }

    private static ExternalActionResult ParseCore(string? value, string? slug, ExternalActionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (string.IsNullOrWhiteSpace(value))
            return ExternalActionResult.Fail(ExternalActionRule.Empty, "the action is empty; give one application call such as Hangup().");
        if (value.Length > MaxLength)
            return ExternalActionResult.Fail(ExternalActionRule.TooLong, $"the action has {value.Length} characters; at most {MaxLength} are allowed.");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is < ' ' or > '~')
                return ExternalActionResult.Fail(ExternalActionRule.ControlCharacter,
                    $"character U+{(int)c:X4} at position {i + 1} is not allowed; only printable ASCII (no newline, tab or control characters).");
        }

        var open = value.IndexOf('(');
        var nameLength = 0;
        while (nameLength < value.Length && (char.IsAsciiLetterOrDigit(value[nameLength]) || value[nameLength] == '_')) nameLength++;
        if (nameLength == 0 || !char.IsAsciiLetter(value[0]))
            return ExternalActionResult.Fail(ExternalActionRule.Syntax,
                $"{Grammar.Quote(value)} must start with an application name (letters, digits, '_'), as in Hangup().");
        if (open != nameLength)
            return ExternalActionResult.Fail(ExternalActionRule.Syntax,
                $"the application name {Grammar.Quote(value[..nameLength])} must be followed directly by '(' and the arguments, as in Hangup().");
        if (value[^1] != ')')
            return ExternalActionResult.Fail(ExternalActionRule.Syntax,
                $"the action must end with the ')' that closes {value[..nameLength]}(; nothing may follow it.");

        if (!policy.TryCanonical(value.AsSpan(0, nameLength), out var canonical))
            return ExternalActionResult.Fail(ExternalActionRule.ApplicationNotAllowed,
                $"application {Grammar.Quote(value[..nameLength])} is not allowed; allowed are {string.Join(", ", policy.Applications)}.");

        var argText = value.AsSpan(open + 1, value.Length - open - 2);
        for (var i = 0; i < argText.Length; i++)
        {
            var c = argText[i];
            if (!IsArgumentChar(c) && c != ',')
                return ExternalActionResult.Fail(ExternalActionRule.ForbiddenCharacter,
                    $"{Grammar.Quote(c.ToString())} at position {open + 2 + i} is not allowed in arguments; allowed are letters, digits, @ + . _ / : - and ',' between arguments.");
        }
        var args = Arguments(value, open + 1, argText.Length);

        foreach (var arg in args)
        {
            if (FindForeignTenant(arg, slug) is { } foreign)
                return ExternalActionResult.Fail(ExternalActionRule.CrossTenantReference,
                    slug is null
                        ? $"{Grammar.Quote(foreign)} refers to a tenant; this action belongs to the platform and may not."
                        : $"{Grammar.Quote(foreign)} is not a context of tenant '{slug}'; only tenant-{slug}, {slug}_ivr_<name> and {slug}_queue_<name> may be referenced.");
        }

        return canonical switch
        {
            "VoiceMail" => VoiceMail(args, slug),
            "Playback" => Playback(args),
            "Goto" => Goto(args, slug),
            "Hangup" or "Busy" or "Congestion" => NoneOrNumeric(canonical, args),
            _ => ExternalActionResult.Ok(new ExternalActionCall(canonical, args)),
        };
    }

    // The comma-separated arguments of value[start..start+length], cut straight out of value.
    private static string[] Arguments(string value, int start, int length)
    {
        if (length == 0) return [];
        var args = new string[value.AsSpan(start, length).Count(',') + 1];
        var end = start + length;
        for (var i = 0; i < args.Length; i++)
        {
            var comma = value.IndexOf(',', start, end - start);
            var stop = comma < 0 ? end : comma;
            args[i] = value[start..stop];
            start = stop + 1;
        }
        return args;
    }

    internal static bool IsArgumentChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '@' or '+' or '.' or '_' or '/' or ':' or '-';

    /// <summary>The first reference in <paramref name="arg"/> to a tenant context that is not one of the own tenant's, or
    /// null. Two shapes are looked for in every run of <c>[A-Za-z0-9_-]</c> (other characters, such as '/' and '@' of
    /// <c>Local/1001@acme_members/n</c>, separate runs): "tenant-x" wherever it occurs, and a run that is a context of the
    /// <c>&lt;slug&gt;_ivr_</c>/<c>_queue_</c>/<c>_members</c> kinds. Case-insensitive: an upper-case spelling of another
    /// tenant's context is still a reference to it.</summary>
    private static string? FindForeignTenant(string arg, string? slug)
    {
        var start = 0;
        while (start < arg.Length)
        {
            var end = start;
            while (end < arg.Length && (char.IsAsciiLetterOrDigit(arg[end]) || arg[end] is '-' or '_')) end++;
            if (end > start && ForeignIn(arg[start..end], slug) is { } foreign) return foreign;
            start = end + 1;
        }
        return null;
    }

    private static string? ForeignIn(string run, string? slug)
    {
        var from = 0;
        while (true)
        {
            var at = run.IndexOf("tenant-", from, StringComparison.OrdinalIgnoreCase);
            if (at < 0) break;
            var end = at + 7;
            while (end < run.Length && (char.IsAsciiLetterOrDigit(run[end]) || run[end] == '-')) end++;
            var context = run[at..end];
            if (slug is null || !IsOwnUsersOrLegacy(context, slug)) return context;
            from = end;
        }
        if (ContextNames.TenantOfDerived(run) is { } tenant && (slug is null || tenant != slug || !IsOwnDerived(run, slug))) return run;
        return null;
    }

    // "tenant-<slug>-anything" is not the own tenant's, because slug "acme" would then reach tenant "acme-corp".
    private static bool IsOwnUsersOrLegacy(string context, string slug) =>
        context == ContextNames.Tenant(slug) || ContextNames.FromLegacy(context, slug) is not null;

    private static bool IsOwnDerived(string context, string slug) =>
        context == ContextNames.Members(slug) || ContextNames.IsDestinationOf(context, slug);

    // VoiceMail(box[@tenant-<slug>][,options]). A box without context would land in Asterisk's shared "default"
    // voicemail context, i.e. possibly another tenant's box, so it is normalized to box@tenant-<slug>.
    private static ExternalActionResult VoiceMail(string[] args, string? slug)
    {
        if (args.Length is < 1 or > 2)
            return ExternalActionResult.Fail(ExternalActionRule.ArgumentCount, $"VoiceMail takes a mailbox and optional options, got {args.Length} argument(s).");
        if (slug is null)
            return ExternalActionResult.Fail(ExternalActionRule.CrossTenantReference, "VoiceMail needs a tenant's mailbox; a platform action has none.");
        var box = args[0];
        var at = box.IndexOf('@');
        var number = at < 0 ? box : box[..at];
        if (number.Length is < 1 or > 10 || !Grammar.AllDigits(number))
            return ExternalActionResult.Fail(ExternalActionRule.InvalidArgument, $"mailbox {Grammar.Quote(number)} must be 1 to 10 digits.");
        if (at >= 0 && box[(at + 1)..] != ContextNames.Tenant(slug))
            return ExternalActionResult.Fail(ExternalActionRule.CrossTenantReference,
                $"mailbox context {Grammar.Quote(box[(at + 1)..])} must be tenant-{slug}.");
        if (args.Length == 2 && (args[1].Length is < 1 or > 3 || args[1].Any(c => c is not ('b' or 's' or 'u'))))
            return ExternalActionResult.Fail(ExternalActionRule.InvalidArgument, $"VoiceMail options {Grammar.Quote(args[1])} may only be b, s, u.");
        args[0] = string.Concat(number, "@", ContextNames.TenantPrefix, slug);
        return ExternalActionResult.Ok(new ExternalActionCall("VoiceMail", args));
    }

    private static ExternalActionResult Playback(string[] args)
    {
        if (args.Length != 1)
            return ExternalActionResult.Fail(ExternalActionRule.ArgumentCount, $"Playback takes one sound file, got {args.Length} argument(s).");
        if (!Grammar.IsSound(args[0]))
            return ExternalActionResult.Fail(ExternalActionRule.InvalidArgument,
                $"sound {Grammar.Quote(args[0])} must be 1 to 128 of A-Z a-z 0-9 _ / - and not start with '/'.");
        return ExternalActionResult.Ok(new ExternalActionCall("Playback", args));
    }

    private static ExternalActionResult Goto(string[] args, string? slug)
    {
        if (args.Length != 3)
            return ExternalActionResult.Fail(ExternalActionRule.ArgumentCount, $"Goto takes context,extension,priority, got {args.Length} argument(s).");
        if (slug is not null && ContextNames.FromLegacy(args[0], slug) is { } current) args[0] = current;
        if (slug is null || !ContextNames.IsDestinationOf(args[0], slug))
            return ExternalActionResult.Fail(ExternalActionRule.CrossTenantReference,
                slug is null
                    ? $"context {Grammar.Quote(args[0])}: a platform action may not Goto a tenant's context."
                    : $"context {Grammar.Quote(args[0])} must be tenant-{slug}, {slug}_ivr_<name> or {slug}_queue_<name>.");
        var exten = args[1];
        // '*' and '#' are outside the argument character set, so an IVR key extension cannot be a Goto target here.
        if (!(exten == "s" || (exten.Length is >= 1 and <= 20 && Grammar.AllDigits(exten))))
            return ExternalActionResult.Fail(ExternalActionRule.InvalidArgument, $"extension {Grammar.Quote(exten)} must be 1 to 20 digits or s.");
        if (!(args[2].Length is >= 1 and <= 5 && Grammar.AllDigits(args[2]) && args[2][0] != '0'))
            return ExternalActionResult.Fail(ExternalActionRule.InvalidArgument, $"priority {Grammar.Quote(args[2])} must be a positive whole number.");
        return ExternalActionResult.Ok(new ExternalActionCall("Goto", args));
    }

    // Hangup(cause), Busy(timeout), Congestion(timeout): nothing or one small number.
    private static ExternalActionResult NoneOrNumeric(string application, string[] args)
    {
        if (args.Length > 1)
            return ExternalActionResult.Fail(ExternalActionRule.ArgumentCount, $"{application} takes no argument or one number, got {args.Length}.");
        if (args.Length == 1 && !(args[0].Length is >= 1 and <= 3 && Grammar.AllDigits(args[0])))
            return ExternalActionResult.Fail(ExternalActionRule.InvalidArgument, $"{application} argument {Grammar.Quote(args[0])} must be a number of 1 to 3 digits.");
        return ExternalActionResult.Ok(new ExternalActionCall(application, args));
    }
}
