using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Did.Dialplan;

/// <summary>The snapshot after every check: identifiers re-validated, references resolved inside their tenant,
/// everything sorted with ordinal comparison. The writers only copy strings out of it, so the hot loops
/// allocate nothing per user. Built by <see cref="Build"/>, which throws <see cref="DialplanException"/>
/// listing every refused item.
/// <para>Policy for references that lead nowhere (deleted user, user without extension, id of the wrong kind):
/// they are stale data, not attacks, and one stale row must not stop the whole platform's dialplan. An IVR
/// option/timeout/invalid destination then renders <c>Hangup()</c> and a number is left unrouted (callers get
/// the fallback); each case is reported in <see cref="Warnings"/>. A reference into another tenant is an attack
/// or a serious bug, and is refused.</para>
/// <para>Every refusal is filed under the tenant whose data it is about and names only that tenant's objects, so the
/// answer to one tenant's admin never describes another tenant's data.</para></summary>
internal sealed partial class DialplanModel
{
    public required DialplanSettings Settings { get; init; }
    public required string Fallback { get; init; }
    public required TenantModel[] Tenants { get; init; }
    public required NumberModel[] Numbers { get; init; }
    public required ShardModel[] Shards { get; init; }
    public required int UserCount { get; init; }
    public required int IvrCount { get; init; }
    public required int QueueCount { get; init; }
    public required RenderWarning[] Warnings { get; init; }

    public static DialplanModel Build(DialplanSnapshot snapshot, DialplanSettings settings)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(settings);
        return new Builder(snapshot, settings).Build();
    }

    private sealed partial class Builder(DialplanSnapshot snapshot, DialplanSettings settings)
    {
        private readonly List<DialplanProblem> _problems = [];
        private readonly List<RenderWarning> _warnings = [];
        // Goto destinations by context name; every generated context and queue section, to refuse a second use of a name.
        private readonly Dictionary<string, Target> _contexts = new(StringComparer.Ordinal);
        private readonly HashSet<string> _contextNames = new(StringComparer.Ordinal);
        private readonly HashSet<string> _queueSections = new(StringComparer.Ordinal);
        // Schedules by id, with the index of their tenant: a rule may use only its own tenant's.
        private readonly Dictionary<Guid, (int Tenant, ScheduleModel Model)> _schedules = new();
        private TenantModel[] _tenants = [];

        private DialplanSettings Settings => settings;

        public DialplanModel Build()
        {
            var fallback = CheckSettings();
            var tenants = CheckTenants();
            _tenants = tenants;
            // Every phase runs even after a refusal, so the exception lists all offending items at once.
            ResolveTenantReferences(tenants);
            var numbers = WithQuarantined(CheckNumbers(tenants), snapshot.Quarantined);
            if (_problems.Count > 0) throw new DialplanException(_problems);
            foreach (var t in tenants) t.KeepReached();
            _warnings.Sort(RenderWarning.Order);
            return new DialplanModel
            {
                Settings = settings,
                Fallback = fallback,
                Tenants = tenants,
                Numbers = numbers,
                Shards = Shard(numbers, settings.ShardDigits),
                UserCount = tenants.Sum(t => t.Extensions.Length),
                IvrCount = tenants.Sum(t => t.Ivrs.Length),
                QueueCount = tenants.Sum(t => t.Queues.Length),
                Warnings = [.. _warnings],
            };
        }

        private string CheckSettings()
        {
            var fallback = ExternalAction.ParsePlatform(settings.FallbackAction, settings.ExternalActions);
            if (!fallback.IsValid) Refuse(null, "settings: FallbackAction " + Grammar.Quote(settings.FallbackAction) + " refused, " + fallback.Message);
            if (!Grammar.IsTechnology(settings.EndpointTechnology))
                Refuse(null, "settings: EndpointTechnology " + Grammar.Quote(settings.EndpointTechnology) + " must match ^[A-Za-z][A-Za-z0-9_]{0,19}$");
            if (settings.EndpointFormat is null || !settings.EndpointFormat.Contains("{extension}", StringComparison.Ordinal))
                Refuse(null, "settings: EndpointFormat " + Grammar.Quote(settings.EndpointFormat) + " must contain {extension}");
            if (settings.RingSeconds is < 1 or > 600) Refuse(null, "settings: RingSeconds must be 1 to 600, is " + settings.RingSeconds);
            if (settings.ShardDigits is < 1 or > 4) Refuse(null, "settings: ShardDigits must be 1 to 4 (10 to 10,000 numbers per context), is " + settings.ShardDigits);
            return fallback.Action?.Text ?? "";
        }

        private TenantModel[] CheckTenants()
        {
            var sorted = snapshot.Tenants.ToArray();
            Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Slug, b.Slug));
            var result = new TenantModel[sorted.Length];
            // Sized once for every IVR and queue, and every context the tenants can have (users, IVRs, queues; members and
            // schedules only take a name): grown one doubling at a time, these tables would be allocated about twice over.
            var objects = 0;
            var others = 0;
            foreach (var t in sorted)
            {
                objects += t.Ivrs.Count + t.Queues.Count;
                others += 1 + (t.Schedules?.Count ?? 0);
            }
            var destinations = sorted.Length + objects;
            _objects.EnsureCapacity(objects);
            _contexts.EnsureCapacity(destinations);
            _contextNames.EnsureCapacity(destinations + others);
            // Users are most of the work (every user of the platform); tenants are independent, so check them on all
            // cores. Results go by tenant index and are merged in order, so the outcome does not depend on scheduling.
            var userChecks = new UserCheck[sorted.Length];
            Parallel.For(0, sorted.Length, i => userChecks[i] = CheckUsers(sorted[i], _users));
            var ids = new HashSet<Guid>();
            for (var i = 0; i < sorted.Length; i++)
            {
                var t = sorted[i];
                if (!Grammar.IsSlug(t.Slug)) Refuse(t.Id, $"tenant {t.Id}: slug {Grammar.Quote(t.Slug)} must match ^[a-z][a-z0-9-]{{1,30}}$");
                else if (i > 0 && sorted[i - 1].Slug == t.Slug) Refuse(t.Id, $"tenant {t.Id}: slug {Grammar.Quote(t.Slug)} is used by two tenants");
                if (!ids.Add(t.Id)) Refuse(t.Id, $"tenant {t.Id}: the id appears twice");
                result[i] = CheckTenant(i, t, userChecks);
            }
            return result;
        }

        private TenantModel CheckTenant(int index, TenantSnapshot t, UserCheck[] userChecks)
        {
            var slug = t.Slug;
            var where = "tenant " + Grammar.Quote(slug);
            var context = ContextNames.Tenant(slug);
            var tenantTarget = new Target(index, DestinationType.User, context, null);

            var users = userChecks[index];
            foreach (var problem in users.Problems) Refuse(t.Id, problem);
            foreach (var i in users.Referenced) AddUser(t.Id, where, t.Users[i].Id, index, t.Users[i].Extension);
            if (users.Reached.Length > 0) AddContext(t.Id, where, context, tenantTarget);

            var ivrs = new List<IvrModel>(t.Ivrs.Count);
            foreach (var ivr in ByName(t.Ivrs, v => v.Name))
            {
                var ok = true;
                if (!Grammar.IsObjectName(ivr.Name)) { Refuse(t.Id, $"{where}: IVR {ivr.Id} name {Grammar.Quote(ivr.Name)} must match ^[a-z0-9-]{{1,40}}$"); ok = false; }
                if (!Grammar.IsSound(ivr.Greeting))
                { Refuse(t.Id, $"{where}: IVR {ivr.Id} greeting {Grammar.Quote(ivr.Greeting)} must match ^[A-Za-z0-9_/-]{{1,128}}$ and not start with '/'"); ok = false; }
                if (ivr.TimeoutSeconds is < 1 or > 300) { Refuse(t.Id, $"{where}: IVR {ivr.Id} timeout must be 1 to 300 seconds, is {ivr.TimeoutSeconds}"); ok = false; }
                foreach (var key in (ivr.Options ?? new Dictionary<string, Destination>()).Keys)
                    if (!Grammar.IsIvrKey(key)) { Refuse(t.Id, $"{where}: IVR {ivr.Id} option key {Grammar.Quote(key)} must be one of 0-9 * #"); ok = false; }
                if (!ok) continue;
                var model = new IvrModel(ivr, ContextNames.Ivr(slug, ivr.Name));
                ivrs.Add(model);
                var target = new Target(index, DestinationType.Ivr, model.Context, null) { Ivr = model };
                AddObject(t.Id, where, ivr.Id, target);
                AddContext(t.Id, where, model.Context, target);
            }

            var queues = new List<QueueModel>(t.Queues.Count);
            foreach (var q in ByName(t.Queues, v => v.Name))
            {
                var ok = true;
                if (!Grammar.IsObjectName(q.Name)) { Refuse(t.Id, $"{where}: queue {q.Id} name {Grammar.Quote(q.Name)} must match ^[a-z0-9-]{{1,40}}$"); ok = false; }
                if (!Enum.IsDefined(q.Strategy)) { Refuse(t.Id, $"{where}: queue {q.Id} strategy {(int)q.Strategy} is not a queue strategy"); ok = false; }
                if (q.MemberRingSeconds is < 1 or > 600) { Refuse(t.Id, $"{where}: queue {q.Id} member ring time must be 1 to 600 seconds, is {q.MemberRingSeconds}"); ok = false; }
                if (q.MaxWaitSeconds is < 1 or > 86_400) { Refuse(t.Id, $"{where}: queue {q.Id} caller wait limit must be 1 to 86400 seconds, is {q.MaxWaitSeconds}"); ok = false; }
                if (!ok) continue;
                var model = new QueueModel(q, ContextNames.Queue(slug, q.Name), ContextNames.QueueSection(slug, q.Name));
                queues.Add(model);
                var target = new Target(index, DestinationType.Queue, model.Context, null) { Queue = model };
                AddObject(t.Id, where, q.Id, target);
                AddContext(t.Id, where, model.Context, target);
                if (!_queueSections.Add(model.Section)) Refuse(t.Id, $"{where}: queue {q.Id} would be queues.conf section [{model.Section}], which another queue already has");
                else CheckLength(t.Id, where, "queue section", model.Section);
            }

            var schedules = CheckSchedules(t, index, where);
            return new TenantModel(t, index, context, users.Reached, [.. ivrs], [.. queues], EndpointSegments(t.Id, where, slug))
                { Schedules = schedules };
        }

        /// <summary>The items in ordinal order of their names, two of one name in their order. One item or none is in order
        /// already and is not sorted: most tenants have one IVR, queue or schedule, or none.</summary>
        private static IReadOnlyList<T> ByName<T>(IReadOnlyList<T> items, Func<T, string> name) =>
            items.Count <= 1 ? items : items.OrderBy(name, StringComparer.Ordinal).ToArray();

        // The endpoint name with {slug} substituted, split at {extension} (null marks where the extension goes).
        private string?[] EndpointSegments(Guid tenantId, string where, string slug)
        {
            var format = settings.EndpointFormat ?? "";
            var parts = format.Replace("{slug}", slug, StringComparison.Ordinal).Split("{extension}");
            var segments = new List<string?>();
            var length = 0;
            for (var i = 0; i < parts.Length; i++)
            {
                if (i > 0) { segments.Add(null); length += 8; }
                if (parts[i].Length == 0) continue;
                length += parts[i].Length;
                if (!Grammar.IsEndpoint(parts[i])) { Refuse(tenantId, $"{where}: EndpointFormat gives {Grammar.Quote(parts[i])}, which is not an endpoint name ([A-Za-z0-9_.@+-])"); }
                segments.Add(parts[i]);
            }
            if (length > 80) Refuse(tenantId, $"{where}: endpoint names would be longer than 80 characters");
            return [.. segments];
        }

        /// <param name="Referenced">The users something refers to, as indexes into the tenant's users, in their order.</param>
        /// <param name="Reached">The extensions of those users, sorted ordinal: the users the tenant's context holds.</param>
        private sealed record UserCheck(int[] Referenced, string[] Reached, List<string> Problems);

        // Validates a tenant's extensions, sorts them, finds duplicates, and picks the users something refers to.
        // Touches no shared state (reads only), so tenants can run in parallel.
        private static UserCheck CheckUsers(TenantSnapshot t, Dictionary<Guid, (int Tenant, string? Extension)> referenced)
        {
            var where = "tenant " + Grammar.Quote(t.Slug);
            var users = t.Users;
            // Every extension is needed only here, for the duplicate check, and the picked users only until they are
            // copied out at their final count: borrowed, so a tenant costs no array that is thrown away or grown.
            var keys = ArrayPool<int>.Shared.Rent(users.Count);
            var extensions = ArrayPool<string>.Shared.Rent(users.Count);
            var picked = ArrayPool<int>.Shared.Rent(users.Count);
            var reachedKeys = ArrayPool<int>.Shared.Rent(users.Count);
            var reached = ArrayPool<string>.Shared.Rent(users.Count);
            var count = 0;
            var pickedCount = 0;
            var reachedCount = 0;
            var problems = new List<string>();
            for (var i = 0; i < users.Count; i++)
            {
                var u = users[i];
                var ext = u.Extension;
                if (string.IsNullOrEmpty(ext)) { if (referenced.ContainsKey(u.Id)) picked[pickedCount++] = i; continue; }
                if (!Grammar.IsUserExtension(ext)) { problems.Add($"{where}: user {u.Id} extension {Grammar.Quote(ext)} must be 2 to 8 digits"); continue; }
                var key = OrdinalKey(ext);
                keys[count] = key;
                extensions[count++] = ext;
                if (!referenced.ContainsKey(u.Id)) continue;
                picked[pickedCount++] = i;
                reachedKeys[reachedCount] = key;
                reached[reachedCount++] = ext;
            }
            // Sorted by int keys rather than strings: this runs for every user of the platform.
            Array.Sort(keys, extensions, 0, count);
            for (var k = 1; k < count; k++)
                if (keys[k] == keys[k - 1]) problems.Add($"{where}: extension {extensions[k]} belongs to two users");
            Array.Sort(reachedKeys, reached, 0, reachedCount);
            var result = new UserCheck(picked.AsSpan(0, pickedCount).ToArray(), reached.AsSpan(0, reachedCount).ToArray(), problems);
            ArrayPool<int>.Shared.Return(keys);
            ArrayPool<string>.Shared.Return(extensions, clearArray: true);
            ArrayPool<int>.Shared.Return(picked);
            ArrayPool<int>.Shared.Return(reachedKeys);
            ArrayPool<string>.Shared.Return(reached, clearArray: true);
            return result;
        }

        private void Refuse(Guid? tenantId, string message) => _problems.Add(new DialplanProblem(tenantId, message));

        /// <summary>Records stale data that was left out or rendered as Hangup(), filed under the tenant whose data it is
        /// (and the number, where it is about one), as a refusal is.</summary>
        private void Warn(Guid? tenantId, string? number, string text) => _warnings.Add(new RenderWarning(tenantId, number, text));

        private void AddContext(Guid tenantId, string where, string context, Target target)
        {
            if (ClaimContext(tenantId, where, context)) _contexts.Add(context, target);
        }

        // The naming scheme cannot give two objects one name; this refuses it anyway, filed under the object that came
        // second, whose own data (its tenant's slug and its name) is all the message shows.
        private bool ClaimContext(Guid tenantId, string where, string context)
        {
            if (!_contextNames.Add(context))
            {
                Refuse(tenantId, $"{where}: context [{context}] would be generated twice");
                return false;
            }
            return CheckLength(tenantId, where, "context", context);
        }

        private bool CheckLength(Guid tenantId, string where, string what, string name)
        {
            if (name.Length <= ContextNames.MaxLength) return true;
            Refuse(tenantId, $"{where}: {what} [{name}] is longer than Asterisk's {ContextNames.MaxLength} characters");
            return false;
        }

        private void ResolveTenantReferences(TenantModel[] tenants)
        {
            foreach (var t in tenants)
            {
                // Made only for a message: a tenant whose references all resolve needs none.
                string Where() => "tenant " + Grammar.Quote(t.Slug);
                foreach (var ivr in t.Ivrs)
                {
                    var options = ivr.Source.Options;
                    var keys = options is null ? [] : options.Keys.ToArray();
                    Array.Sort(keys, StringComparer.Ordinal);
                    var resolved = new (string Key, string Action)[keys.Length];
                    for (var i = 0; i < keys.Length; i++) resolved[i] = (keys[i], Resolve(t, options![keys[i]], ivr, "option ", keys[i]));
                    ivr.Options = resolved;
                    ivr.TimeoutAction = Resolve(t, ivr.Source.TimeoutDestination, ivr, "timeout destination");
                    ivr.InvalidAction = Resolve(t, ivr.Source.InvalidDestination, ivr, "invalid destination");
                }
                var rung = new List<string>();
                foreach (var q in t.Queues)
                {
                    var ids = q.Source.MemberUserIds ?? [];
                    var members = new string[ids.Count];
                    var count = 0;
                    for (var i = 0; i < ids.Count; i++)
                    {
                        var id = ids[i];
                        if (!TryTarget(id, out var target) || target.Kind != DestinationType.User)
                            Warn(t.Source.Id, null, $"{Where()}: queue {Grammar.Quote(q.Name)} member {id} is not a user; left out");
                        else if (target.Tenant != t.Index)
                            Refuse(t.Source.Id, $"{Where()}: queue {Grammar.Quote(q.Name)} member {id} is a user of another tenant");
                        else if (target.Extension is null)
                            Warn(t.Source.Id, null, $"{Where()}: queue {Grammar.Quote(q.Name)} member {id} has no extension; left out");
                        else if (Array.IndexOf(members, target.Extension, 0, count) < 0) members[count++] = target.Extension;
                    }
                    // In the queue's own order (its members' positions), not sorted: linear and rrmemory ring members
                    // in the order queues.conf lists them.
                    Array.Resize(ref members, count);
                    q.MemberExtensions = members;
                    rung.AddRange(members);
                }
                if (rung.Count == 0 || !ClaimContext(t.Source.Id, Where(), t.MembersContext)) continue;
                var rungArray = rung.ToArray();
                Array.Resize(ref rungArray, SortDistinct(rungArray.AsSpan(), string.CompareOrdinal));
                t.MemberExtensions = rungArray;
            }
        }

        /// <summary>The Goto an IVR's <paramref name="destination"/> (with its <paramref name="key"/>, for an option) renders,
        /// or Hangup() for none, or one that does not resolve.</summary>
        private string Resolve(TenantModel tenant, Destination? d, IvrModel ivr, string destination, string key = "")
        {
            // Made only for a message: a destination that resolves needs none.
            string What() => $"tenant {Grammar.Quote(tenant.Slug)}: IVR {Grammar.Quote(ivr.Name)} {destination}{key}";
            if (d is null || d.Type == DestinationType.Hangup) return "Hangup()";
            if (d.Id is not { } id || !TryTarget(id, out var target) || target.Kind != d.Type)
            {
                Warn(tenant.Source.Id, null, $"{What()}: {(d.Type.ToString().ToUpperInvariant())} {d.Id?.ToString() ?? "(no id)"} does not exist; rendered as Hangup()");
                return "Hangup()";
            }
            if (target.Tenant != tenant.Index)
            {
                Refuse(tenant.Source.Id, $"{What()}: {d.Type.ToString().ToUpperInvariant()} {id} belongs to another tenant");
                return "Hangup()";
            }
            if (target.Kind == DestinationType.User && target.Extension is null)
            {
                Warn(tenant.Source.Id, null, $"{What()}: user {id} has no extension; rendered as Hangup()");
                return "Hangup()";
            }
            return target.GotoText();
        }

        private NumberModel[] CheckNumbers(TenantModel[] tenants)
        {
            var byId = new Dictionary<Guid, TenantModel>(tenants.Length);
            foreach (var t in tenants) byId[t.Source.Id] = t;

            var numbers = snapshot.Numbers;
            var order = SortedOrder(numbers);
            // An array cut to length at the end rather than a list copied out: one number array instead of two.
            var result = new NumberModel[numbers.Count];
            var count = 0;
            for (var i = 0; i < numbers.Count; i++)
            {
                var n = numbers[order[i]];
                if (n.Number is null || !Grammar.IsE164(n.Number)) { Refuse(n.TenantId, What(n) + " is not E.164 (^\\+[1-9][0-9]{1,14}$)"); continue; }
                if (i > 0 && numbers[order[i - 1]].Number == n.Number) { Refuse(n.TenantId, What(n) + " is assigned twice"); continue; }
                if (!byId.TryGetValue(n.TenantId, out var tenant)) { Refuse(n.TenantId, $"{What(n)}: tenant {n.TenantId} is not in the snapshot"); continue; }
                var routed = n.Type == AssignmentType.External ? External(tenant, n) : Assigned(tenant, n);
                if (routed is not { } r) continue;
                result[count++] = n.Options is null ? r : WithRoute(tenant, n, r);
            }
            ArrayPool<int>.Shared.Return(order);
            if (count != result.Length) Array.Resize(ref result, count);
            return result;
        }

        /// <summary>The indexes of the numbers in numeric order (shorter first, then by digits), which groups every shard into
        /// one run, in an array borrowed from the pool (the caller returns it): a sorted copy of the numbers would be one more
        /// array the size of the snapshot. When all are E.164, sorted by their <see cref="NumberKey"/>: comparing a long per
        /// number costs several times less than comparing strings, and there is one per routed number. A snapshot with any
        /// other number is refused, and is sorted by <see cref="CompareNumbers"/> so its messages come in the same order as
        /// ever.</summary>
        private static int[] SortedOrder(IReadOnlyList<RoutedNumber> numbers)
        {
            var count = numbers.Count;
            var order = ArrayPool<int>.Shared.Rent(count);
            for (var i = 0; i < count; i++) order[i] = i;
            var keys = ArrayPool<long>.Shared.Rent(count);
            var allE164 = true;
            for (var i = 0; i < count && allE164; i++)
            {
                keys[i] = NumberKey(numbers[i].Number);
                allE164 = keys[i] >= 0;
            }
            if (allE164) Array.Sort(keys, order, 0, count);
            else order.AsSpan(0, count).Sort((a, b) => CompareNumbers(numbers[a].Number, numbers[b].Number));
            ArrayPool<long>.Shared.Return(keys);
            return order;
        }

        // Messages are built only for refused or skipped numbers: 100,000 label strings would cost more than the checks.
        private static string What(RoutedNumber n) => "number " + Grammar.Quote(n.Number);

        private NumberModel? Assigned(TenantModel tenant, RoutedNumber n)
        {
            var kind = n.Type switch
            {
                AssignmentType.User => DestinationType.User,
                AssignmentType.Ivr => DestinationType.Ivr,
                AssignmentType.Queue => DestinationType.Queue,
                _ => (DestinationType?)null,
            };
            if (kind is null) { Refuse(tenant.Source.Id, $"{What(n)}: assignment type {(int)n.Type} is unknown"); return null; }
            if (n.TargetId is not { } id || !TryTarget(id, out var target) || target.Kind != kind)
            {
                Warn(tenant.Source.Id, n.Number, $"{What(n)}: {n.Type.ToString().ToUpperInvariant()} {n.TargetId?.ToString() ?? "(no id)"} does not exist; not routed");
                return null;
            }
            if (target.Tenant != tenant.Index)
            {
                Refuse(tenant.Source.Id, $"{What(n)} of tenant {Grammar.Quote(tenant.Slug)} points to {n.Type.ToString().ToUpperInvariant()} {id}, which belongs to another tenant");
                return null;
            }
            if (kind == DestinationType.User && target.Extension is null)
            {
                Warn(tenant.Source.Id, n.Number, $"{What(n)}: user {id} has no extension; not routed");
                return null;
            }
            return new NumberModel(n.Number, target.Context, target.Extension ?? "s", null);
        }

        // EXTERNAL is re-parsed here although the API checked it on save: defence in depth against rows written
        // by older code, by hand or by a bug. A Goto must also land on a context this render gives to the same tenant.
        private NumberModel? External(TenantModel tenant, RoutedNumber n) =>
            CheckedExternal(tenant, n.ExternalAction, n, null) is { } action ? new NumberModel(n.Number, null, null, action) : null;

        /// <summary>The checked text of an EXTERNAL action of number <paramref name="n"/>, its default destination's
        /// (<paramref name="rule"/> null) or a rule's or failover's, or null: refused (invalid, or a Goto into another tenant)
        /// or, for a Goto that leads nowhere, a warning.</summary>
        private string? CheckedExternal(TenantModel tenant, string? action, RoutedNumber n, int? rule)
        {
            if (!Grammar.IsSlug(tenant.Slug)) return null; // already refused with the tenant
            var parsed = ExternalAction.Parse(action, tenant.Slug, settings.ExternalActions);
            if (parsed.Action is not { } call)
            {
                Refuse(tenant.Source.Id, $"{ExternalWhat(n, rule)}: EXTERNAL action {Grammar.Quote(action)} refused, {parsed.Message}");
                return null;
            }
            if (call.Application == "Goto")
            {
                var (context, exten, priority) = (call.Arguments[0], call.Arguments[1], int.Parse(call.Arguments[2], CultureInfo.InvariantCulture));
                if (_contexts.TryGetValue(context, out var owner) && owner.Tenant != tenant.Index)
                {
                    Refuse(tenant.Source.Id, $"{ExternalWhat(n, rule)}: EXTERNAL Goto to [{context}], which belongs to another tenant");
                    return null;
                }
                if (!_contexts.ContainsKey(context) || PriorityCount(owner, exten) < priority)
                {
                    var consequence = rule is { } r ? Consequence(r) : "not routed";
                    Warn(tenant.Source.Id, n.Number, $"{ExternalWhat(n, rule)}: EXTERNAL Goto({context},{exten},{priority}) leads nowhere; {consequence}");
                    return null;
                }
            }
            return call.Text;
        }

        // What a message about an EXTERNAL action calls it: made only for a message, as What is.
        private static string ExternalWhat(RoutedNumber n, int? rule) => rule is { } r ? Where(n, r) : What(n);

        // How many priorities the writers give an extension of a context (0 = none): mirrors ExtensionsFile.
        private int PriorityCount(Target owner, string exten)
        {
            var tenant = owner.Tenant;
            switch (owner.Kind)
            {
                case DestinationType.User:
                    if (!_tenants[tenant].HasUser(exten)) return 0;
                    _tenants[tenant].Reach(exten); // an EXTERNAL Goto reaches this user, who must then be rendered
                    return settings.VoicemailOnNoAnswer ? 3 : 2;
                case DestinationType.Ivr:
                    if (exten == "s") return 3;
                    if (exten is "t" or "i") return 1;
                    return owner.Ivr!.Source.Options?.ContainsKey(exten) == true ? 1 : 0;
                case DestinationType.Queue:
                    return exten == "s" ? (settings.AnswerBeforeQueue ? 3 : 2) : 0;
                default:
                    return 0;
            }
        }

    }

    /// <summary>A number whose order is the ordinal order of a 1-to-8-digit string: each digit becomes 1..10 in base 11,
    /// and missing positions 0, so "100" &lt; "1000" &lt; "101" as with string.CompareOrdinal. 11^8 fits in an int.</summary>
    internal static int OrdinalKey(string digits)
    {
        var key = 0;
        for (var i = 0; i < 8; i++) key = key * 11 + (i < digits.Length ? digits[i] - '0' + 1 : 0);
        return key;
    }

    /// <summary>An E.164 number as a long that orders like <see cref="CompareNumbers"/>: its digit count in the high bits,
    /// the value of its digits (below 10^15 &lt; 2^50) in the low ones; -1 for anything that is not E.164.</summary>
    internal static long NumberKey(string? number)
    {
        if (number is null || !Grammar.IsE164(number)) return -1;
        var value = 0L;
        foreach (var digit in number.AsSpan(1)) value = value * 10 + (digit - '0');
        return (long)(number.Length - 1) << 50 | value;
    }

    /// <summary>Numeric order of E.164 strings: shorter numbers first, then digit by digit.</summary>
    internal static int CompareNumbers(string? a, string? b)
    {
        if (a is null || b is null) return string.CompareOrdinal(a, b);
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
    }

    private static ShardModel[] Shard(NumberModel[] numbers, int shardDigits)
    {
        var shards = new List<ShardModel>();
        var start = 0;
        while (start < numbers.Length)
        {
            var context = ContextNames.Shard(numbers[start].Number, shardDigits);
            var end = start + 1;
            while (end < numbers.Length && SameShard(numbers[start].Number, numbers[end].Number, shardDigits)) end++;
            var digits = numbers[start].Number.Length - 1;
            var fixedDigits = digits <= shardDigits ? "" : numbers[start].Number.Substring(1, digits - shardDigits);
            var pattern = fixedDigits + new string('X', digits - fixedDigits.Length);
            shards.Add(new ShardModel(context, "_+" + pattern, "_" + pattern, start, end - start));
            start = end;
        }
        return [.. shards];
    }

    private static bool SameShard(string a, string b, int shardDigits)
    {
        if (a.Length != b.Length) return false;
        var fixedLength = Math.Max(0, a.Length - 1 - shardDigits);
        return a.AsSpan(1, fixedLength).SequenceEqual(b.AsSpan(1, fixedLength));
    }
}

internal sealed class TenantModel(TenantSnapshot source, int index, string context, string[] reached,
    IvrModel[] ivrs, QueueModel[] queues, string?[] endpoint)
{
    private HashSet<string>? _users;
    private readonly List<string> _reachedByGoto = [];

    public TenantSnapshot Source { get; } = source;
    public int Index { get; } = index;
    public string Slug => Source.Slug;
    public string Context { get; } = context;
    /// <summary>The extensions the tenant's context holds, sorted ordinal: the users something reaches (a number, a rule, a
    /// failover, an IVR option, a queue, an EXTERNAL Goto). A user nobody can reach from outside costs no line, so the
    /// context grows with the routes, not with the users; a call can still reach only an extension that is a user's.
    /// Complete once <see cref="KeepReached"/> has run.</summary>
    public string[] Extensions { get; private set; } = reached;

    /// <summary>Whether a user of the tenant has this extension (a valid one): what a reference into the tenant's context is
    /// checked against. The set is made at the first question, which only an EXTERNAL Goto into the context asks.</summary>
    public bool HasUser(string extension)
    {
        _users ??= new HashSet<string>(
            Source.Users.Select(u => u.Extension).Where(e => !string.IsNullOrEmpty(e) && Grammar.IsUserExtension(e)), StringComparer.Ordinal);
        return _users.Contains(extension);
    }

    /// <summary>Marks a user's extension as reached by something found after the users were checked.</summary>
    public void Reach(string extension)
    {
        lock (_reachedByGoto) _reachedByGoto.Add(extension);
    }

    /// <summary>Adds the users reached by <see cref="Reach"/> to <see cref="Extensions"/>, keeping it sorted and each once.</summary>
    public void KeepReached()
    {
        if (_reachedByGoto.Count == 0) return;
        var all = new SortedSet<string>(Extensions, StringComparer.Ordinal);
        all.UnionWith(_reachedByGoto);
        Extensions = [.. all];
    }
    /// <summary>The ring-only context the tenant's queues call their members through.</summary>
    public string MembersContext { get; } = ContextNames.Members(source.Slug);
    /// <summary>Extensions that are a member of at least one of the tenant's queues, sorted ordinal: the members context
    /// holds these and no others (empty: the tenant gets no members context).</summary>
    public string[] MemberExtensions { get; set; } = [];
    public IvrModel[] Ivrs { get; } = ivrs;
    public QueueModel[] Queues { get; } = queues;
    /// <summary>Endpoint name pieces; null = the extension.</summary>
    public string?[] Endpoint { get; } = endpoint;

    /// <summary>The Dial call that rings a user for <paramref name="seconds"/>: Dial(technology/endpoint,seconds), the
    /// endpoint name being <see cref="Endpoint"/> with the extension put in.</summary>
    public string DialCall(string technology, string extension, int seconds)
    {
        // Appended piece by piece into one string: a route may have one per number.
        var call = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture);
        call.AppendLiteral("Dial(");
        call.AppendFormatted(technology);
        call.AppendLiteral("/");
        foreach (var piece in Endpoint) call.AppendFormatted(piece ?? extension);
        call.AppendLiteral(",");
        call.AppendFormatted(seconds);
        call.AppendLiteral(")");
        return call.ToStringAndClear();
    }

    /// <summary>The tenant's schedules, sorted by name.</summary>
    public ScheduleModel[] Schedules { get; init; } = [];
}

internal sealed class IvrModel(IvrSnapshot source, string context)
{
    public IvrSnapshot Source { get; } = source;
    public string Name => Source.Name;
    public string Context { get; } = context;
    /// <summary>The label of its block in a route, and the block: a Goto to its context.</summary>
    public string Label { get; } = "ivr-" + source.Name;
    public string[] Entered { get; } = ["Goto(" + context + ",s,1)"];
    public (string Key, string Action)[] Options { get; set; } = [];
    public string TimeoutAction { get; set; } = "Hangup()";
    public string InvalidAction { get; set; } = "Hangup()";
}

internal sealed class QueueModel(QueueSnapshot source, string context, string section)
{
    public QueueSnapshot Source { get; } = source;
    public string Name => Source.Name;
    public string Context { get; } = context;
    public string Section { get; } = section;
    public string[] MemberExtensions { get; set; } = [];
    /// <summary>The label of its block in a route, and the block without a failover: a Goto to its context.</summary>
    public string Label { get; } = "queue-" + source.Name;
    public string[] Entered { get; } = ["Goto(" + context + ",s,1)"];

    /// <summary>Some route enters this queue with a failover after it: the queue must give up at once when no member can
    /// take the call (joinempty/leavewhenempty), so the failover runs instead of a wait in an empty queue.</summary>
    public bool ReturnsWhenEmpty { get; set; }

    /// <summary>The Queue() call that enters this queue: the caller's wait limit, when it has one, is its timeout (5th argument).</summary>
    public string Call => "Queue(" + Section + (Source.MaxWaitSeconds is { } wait ? ",,,," + wait.ToString(CultureInfo.InvariantCulture) : "") + ")";
}

/// <summary>A routed number: either a Goto to <see cref="Context"/>,<see cref="Extension"/>,1 or the checked EXTERNAL
/// <see cref="Action"/>, or, for a number with rules, a failover or its own ring time, the priorities of its
/// <see cref="Route"/>. A struct with the pieces, so 100,000 numbers cost one array, not 200,000 objects.</summary>
/// <param name="Route">The priorities of a number with rules, a failover or its own ring time, in its shard, in blocks: rules first,
/// in order (each one GotoIf to the label of its destination's block), then the default destination's block, which the
/// call falls into when no rule holds, then one block per other destination, then the failover block. Every block ends
/// in a Goto, a Hangup or a Dial/Queue whose next priority leaves it, so no block runs into the next. The bare array,
/// with no object around it: a fifth of a platform's numbers may have one.</param>
internal readonly record struct NumberModel(string Number, string? Context, string? Extension, string? Action, RouteBlock[]? Route = null);

/// <summary>A did-* context: Numbers[Start..Start+Count) of the model, reached through two patterns
/// (with and without the '+').</summary>
internal sealed record ShardModel(string Context, string PlusPattern, string DigitsPattern, int Start, int Count);
