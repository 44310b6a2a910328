namespace Did.Dialplan;

/// <summary>Writes the body of extensions_custom.conf from a checked model. Only copies strings the model
/// validated; string pieces that repeat per user are built once per render or per tenant, because this loop
/// runs for every one of up to a million lines.</summary>
internal static class ExtensionsFile
{
    /// <summary>The only ${...} the renderer writes: the dialled number reduced to its digits, with '+' put back,
    /// so whatever the carrier sent, an application never sees unfiltered ${EXTEN} (CVE-2010-0685). The linter
    /// accepts exactly this form and nothing else with a '$'.</summary>
    public const string FilteredNumber = "+${FILTER(0-9,${EXTEN})}";

    /// <summary>The contexts <see cref="Write"/> writes, in the order it writes them: known before the body is, for the
    /// header's count.</summary>
    public static List<string> Contexts(DialplanModel model)
    {
        var contexts = new List<string>(1 + model.Shards.Length + model.Tenants.Length * 3) { ContextNames.FromTrunk };
        foreach (var shard in model.Shards) contexts.Add(shard.Context);
        foreach (var tenant in model.Tenants)
        {
            if (tenant.Extensions.Length > 0) contexts.Add(tenant.Context);
            if (tenant.MemberExtensions.Length > 0) contexts.Add(tenant.MembersContext);
            foreach (var ivr in tenant.Ivrs) contexts.Add(ivr.Context);
            foreach (var queue in tenant.Queues) contexts.Add(queue.Context);
            foreach (var schedule in tenant.Schedules) contexts.Add(schedule.Context);
        }
        return contexts;
    }

    public static void Write(DialplanModel model, TextBuffer o)
    {
        var fallback = model.Fallback;

        o.Append("\n; DIDs arrive here. Each pattern sends a block of numbers to its small did-* context (Asterisk reloads\n");
        o.Append("; small contexts much faster than one big one); numbers without the leading '+' reach the same route.\n");
        o.Append("[" + ContextNames.FromTrunk + "]\n");
        foreach (var shard in model.Shards)
        {
            var gotoShard = ",1,Goto(" + shard.Context + "," + FilteredNumber + ",1)\n";
            o.Append("exten => "); o.Append(shard.PlusPattern); o.Append(gotoShard);
            o.Append("exten => "); o.Append(shard.DigitsPattern); o.Append(gotoShard);
        }
        // Unknown numbers: '+' is matched literally and _X. does not match "+...", so E.164 needs its own _+X..
        WriteFallback(o, "_+X.", fallback);
        WriteFallback(o, "_X.", fallback);
        WriteFallback(o, "i", fallback);
        WriteFallback(o, "s", fallback);

        var numbers = model.Numbers;
        foreach (var shard in model.Shards)
        {
            o.Append("\n["); o.Append(shard.Context); o.Append("]\n");
            for (var i = shard.Start; i < shard.Start + shard.Count; i++)
            {
                ref readonly var n = ref numbers[i];
                if (n.Route is { } route)
                {
                    WriteRoute(o, n.Number, route);
                    continue;
                }
                o.Append("exten => "); o.Append(n.Number);
                if (n.Action is null) { o.Append(",1,Goto("); o.Append(n.Context!); o.Append(','); o.Append(n.Extension!); o.Append(",1)\n"); }
                else { o.Append(",1,"); o.Append(n.Action); o.Append('\n'); }
            }
            // A number of this shape that nobody is assigned: the same fallback, never falling off the dialplan.
            WriteFallback(o, "_+X.", fallback);
        }

        var settings = model.Settings;
        var dialHead = ",1,Dial(" + settings.EndpointTechnology + "/";
        var dialTail = "," + settings.RingSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
                       + (settings.VoicemailOnNoAnswer ? ")\n same => n,VoiceMail(" : ")\n same => n,Hangup()\n");
        foreach (var tenant in model.Tenants)
        {
            if (tenant.Extensions.Length > 0) WriteUsers(o, tenant, dialHead, dialTail, settings.VoicemailOnNoAnswer);
            if (tenant.MemberExtensions.Length > 0) WriteMembers(o, tenant, dialHead);
            foreach (var ivr in tenant.Ivrs) WriteIvr(o, ivr);
            foreach (var queue in tenant.Queues) WriteQueue(o, queue, settings.AnswerBeforeQueue);
            foreach (var schedule in tenant.Schedules) WriteSchedule(o, schedule);
        }
    }

    // Every line of a number's route names the number (exten => +1..., n), not 'same': in a shard, which every tenant
    // shares, each line then says whose it is (a tenant's preview shows its own lines by their extension).
    private static void WriteRoute(TextBuffer o, string number, RouteBlock[] blocks)
    {
        var priority = ",1";
        foreach (var (label, calls) in blocks)
            for (var i = 0; i < calls.Length; i++)
            {
                o.Append("exten => "); o.Append(number); o.Append(priority);
                WriteLabelAndCall(o, i == 0 ? label : null, calls[i]);
                priority = ",n";
            }
    }

    private static void WriteSchedule(TextBuffer o, ScheduleModel schedule)
    {
        o.Append("\n["); o.Append(schedule.Context); o.Append("]\n");
        var lines = schedule.Lines;
        for (var i = 0; i < lines.Length; i++)
        {
            o.Append(i == 0 ? "exten => s,1" : " same => n");
            WriteLabelAndCall(o, lines[i].Label, lines[i].Call);
        }
    }

    private static void WriteLabelAndCall(TextBuffer o, string? label, string call)
    {
        if (label is not null) { o.Append('('); o.Append(label); o.Append(')'); }
        o.Append(','); o.Append(call); o.Append('\n');
    }

    private static void WriteFallback(TextBuffer o, string extension, string action)
    {
        o.Append("exten => "); o.Append(extension); o.Append(",1,"); o.Append(action); o.Append('\n');
    }

    private static void WriteUsers(TextBuffer o, TenantModel tenant, string dialHead, string dialTail, bool voicemail)
    {
        o.Append("\n["); o.Append(tenant.Context); o.Append("]\n");
        var voicemailTail = "@" + tenant.Context + ")\n same => n,Hangup()\n";
        var endpoint = tenant.Endpoint;
        foreach (var ext in tenant.Extensions)
        {
            o.Append("exten => "); o.Append(ext); o.Append(dialHead);
            foreach (var piece in endpoint) o.Append(piece ?? ext);
            o.Append(dialTail);
            if (voicemail) { o.Append(ext); o.Append(voicemailTail); }
        }
    }

    // A queue member's leg: the phone and nothing else. No timeout (the queue's member ring time ends the ring by hanging
    // up this leg), 'i' ignores call forwarding the phone asks for, and no VoiceMail: whatever answers this leg answers
    // the queue call, so after Dial there is only Hangup.
    private static void WriteMembers(TextBuffer o, TenantModel tenant, string dialHead)
    {
        o.Append("\n["); o.Append(tenant.MembersContext); o.Append("]\n");
        var endpoint = tenant.Endpoint;
        foreach (var ext in tenant.MemberExtensions)
        {
            o.Append("exten => "); o.Append(ext); o.Append(dialHead);
            foreach (var piece in endpoint) o.Append(piece ?? ext);
            o.Append(",,i)\n same => n,Hangup()\n");
        }
    }

    private static void WriteIvr(TextBuffer o, IvrModel ivr)
    {
        o.Append("\n["); o.Append(ivr.Context); o.Append("]\n");
        o.Append("exten => s,1,Answer()\n same => n,Background(");
        o.Append(ivr.Source.Greeting);
        o.Append(")\n same => n,WaitExten(");
        o.Append(ivr.Source.TimeoutSeconds);
        o.Append(")\n");
        foreach (var (key, action) in ivr.Options)
        {
            o.Append("exten => "); o.Append(key); o.Append(",1,"); o.Append(action); o.Append('\n');
        }
        WriteFallback(o, "t", ivr.TimeoutAction);
        WriteFallback(o, "i", ivr.InvalidAction);
    }

    private static void WriteQueue(TextBuffer o, QueueModel queue, bool answer)
    {
        o.Append("\n["); o.Append(queue.Context); o.Append("]\n");
        o.Append(answer ? "exten => s,1,Answer()\n same => n," : "exten => s,1,");
        o.Append(queue.Call);
        o.Append("\n same => n,Hangup()\n");
    }
}
