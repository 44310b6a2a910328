using System.ComponentModel;
using Carter;
using Dapper;
using Did.Dialplan;
using Did.Features.Apply;
using Did.Features.Dids;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Routing;

/// <summary>Which dialplan to walk. JSON: LIVE (each node's live file, as the last successful apply left it), PENDING (rendered
/// now from the database; nothing is written).</summary>
public enum SimulationSource { Live, Pending }

/// <summary>Query of GET /api/v1/routing/simulate.</summary>
public sealed record SimulateRouteQuery(
    [property: FromQuery(Name = "number"), Description(SimulateRoute.NumberDescription)] string? Number = null,
    [property: FromQuery(Name = RegionParameter.Name), Description(SimulateRoute.DefaultRegionDescription)] string? DefaultRegion = null,
    [property: FromQuery(Name = "caller_id")] string? CallerId = null,
    [property: FromQuery(Name = "at"), Description(SimulateRoute.AtDescription), DateTimeParameter] string? At = null,
    [property: FromQuery(Name = "dial_status")] QueryEnum<DialStatus>? DialStatus = null,
    [property: FromQuery(Name = "source")] QueryEnum<SimulationSource>? Source = null) : IQuery<SimulationResponse>;

public static class SimulateRoute
{
    public const int MaxCallerIdLength = 256;
    /// <summary>The latest <c>at</c> whose local time exists in every zone a schedule may use (at most 14 hours ahead of
    /// UTC); a later one would be walked at a local time clamped to 9999-12-31, not the one it names.</summary>
    private static readonly DateTimeOffset LatestAt = new(9999, 12, 31, 9, 59, 59, TimeSpan.Zero);

    public const string AtDescription = "When the call arrives (absent: now). " + Timestamps.Description;

    public const string NumberDescription =
        "The dialled number: E.164 (+12125550100), taken as written, or any other written form libphonenumber reads (+1 212 555 0100; " +
        "a national form such as (212) 555-0100 with default_region, else Dids__DefaultRegion), read into E.164. A form libphonenumber " +
        "refuses is a 400 with its reason (INVALID_COUNTRY_CODE, TOO_SHORT, ...).";
    public const string DefaultRegionDescription = RegionParameter.Description + " Reads number only, never caller_id.";

    /// <summary>The dialled number in E.164. E.164 as written is taken as is, as the switch matches it: numbers stored
    /// before numbers were validated are E.164 that libphonenumber may not know (docs/decisions.md), and their routes are
    /// simulated like any other. Any other form is read by the import's normaliser with <paramref name="region"/>.</summary>
    internal static bool TryReadNumber(string number, string? region, out string e164, out string reason)
    {
        reason = "";
        if (DidRules.IsE164(number))
        {
            e164 = number;
            return true;
        }
        var read = NumberNormalizer.TryNormalize(number, region, out var n, out reason);
        e164 = read ? n.E164 : "";
        return read;
    }

    public sealed class Validator : AbstractValidator<SimulateRouteQuery>
    {
        public Validator(NumberSettings numbers)
        {
            RuleFor(q => q.DefaultRegion).KnownRegion();
            // With an unknown region only the region is named: the number was not read with the region the client meant.
            RuleFor(q => q.Number).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage("'number' is required: the dialled number, such as +12125550100.")
                .Must((q, n) => TryReadNumber(n!, numbers.RegionFor(q.DefaultRegion), out _, out _))
                .When(q => !RegionParameter.IsUnknown(q.DefaultRegion), ApplyConditionTo.CurrentValidator)
                .WithMessage((q, n) =>
                {
                    var region = numbers.RegionFor(q.DefaultRegion);
                    TryReadNumber(n!, region, out _, out var reason);
                    return $"'number': {NumberNormalizer.Describe(n!, reason, region)}";
                });
            RuleFor(q => q.CallerId).MaximumLength(MaxCallerIdLength)
                .WithMessage($"'caller_id' may have at most {MaxCallerIdLength} characters; leave it out for a withheld caller.")
                // Asterisk holds caller ID as a C string: it would end at a NUL, where the walk would read on.
                .Must(c => c is null || !c.Contains('\0'))
                .WithMessage("'caller_id' must not contain NUL (%00): a switch's caller ID ends there, so no call can carry it.");
            RuleFor(q => q.At).Timestamp()
                .Must(a => !Timestamps.TryRead(a, out var at) || at >= DateTimeOffset.UnixEpoch)
                .WithMessage("'at' must be 1970-01-01T00:00:00Z or later: a switch's clock (EPOCH) starts there (you sent '{PropertyValue}').")
                .Must(a => !Timestamps.TryRead(a, out var at) || at <= LatestAt)
                .WithMessage("'at' must be 9999-12-31T09:59:59Z or earlier: its local time in a zone up to 14 hours " +
                             "ahead of UTC, as a schedule may use, would be past 9999-12-31 (you sent '{PropertyValue}').");
        }
    }

    /// <summary>Walks the dialplan text with <see cref="DialplanWalker"/>; the route is never read from the database, only the
    /// ids and labels of where the call ends up, and the number's tenant (a tenant admin may simulate only its own numbers:
    /// any other is a 404, as an unknown one).</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, AsteriskNodes nodes, ApplyRunner runner, ApplyWorkFolder work,
        RenderSlots renders, TimeProvider clock, NumberSettings numbers) : IQueryHandler<SimulateRouteQuery, SimulationResponse>
    {
        public async ValueTask<SimulationResponse> Handle(SimulateRouteQuery q, CancellationToken ct)
        {
            if (!TryReadNumber(q.Number!, numbers.RegionFor(q.DefaultRegion), out var number, out _))
                throw new InvalidOperationException("the validator lets only numbers it reads through");
            var at = Timestamps.Read(q.At) ?? clock.GetUtcNow();
            var status = q.DialStatus?.Value ?? DialStatus.Answer;
            var source = q.Source?.Value ?? SimulationSource.Live;
            var request = new WalkRequest(number, q.CallerId, at, status);

            Guid? owner;
            await using (var conn = await db.OpenConnectionAsync(ct))
                owner = await conn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
                    "SELECT tenant_id FROM phone_numbers WHERE number = @number", new { number }, cancellationToken: ct));
            if (ctx.TenantScope is { } scope && owner != scope) throw Problem.NotFound("Number", number);

            var (walk, walked) = source == SimulationSource.Pending ? (await WalkPendingAsync(request, ct), new List<NodeWalk>()) : await WalkLiveAsync(request, ct);
            await using var names = await db.OpenConnectionAsync(ct);
            var outcomes = new OutcomeNames(names, ctx.TenantScope, owner);
            var response = new SimulationResponse(number, q.CallerId, at.ToUniversalTime(), status, source,
                await outcomes.NameAsync(walk.Outcome, ct), walk.Rule, walk.Failover, walk.End,
                [.. walk.Steps.Select(s => new SimulatedStep(s.Context, s.Extension, s.Priority, s.Label, s.Application, s.Data, s.Note))],
                [], false);
            var first = walked.FirstOrDefault(w => w.File is not null)?.File;
            var perNode = new List<SimulatedNode>();
            foreach (var n in walked)
                perNode.Add(new SimulatedNode(n.Name, n.File is not null, n.File?.Sha256, n.File?.Fingerprint == first?.Fingerprint,
                    await outcomes.NameAsync(n.Walk?.Outcome, ct), n.Walk?.Rule, n.Walk?.Failover ?? false));
            return response with { Nodes = perNode, NodesDiffer = perNode.Any(n => !n.SameAsFirst) };
        }

        private sealed record LiveFile(string Fingerprint, string? Sha256);

        private sealed record NodeWalk(string Name, LiveFile? File, CallWalk? Walk);

        /// <summary>Each node's live files, walked once per distinct content; the first node that has a file answers.</summary>
        private async Task<(CallWalk Walk, List<NodeWalk> Nodes)> WalkLiveAsync(WalkRequest request, CancellationToken ct)
        {
            var byContent = new Dictionary<string, CallWalk>(StringComparer.Ordinal);
            var result = new List<NodeWalk>();
            foreach (var node in nodes.All)
            {
                using var file = await DialplanFile.OpenAsync(node.ExtensionsPath, cache: true, ct);
                if (file is null)
                {
                    result.Add(new NodeWalk(node.Name, null, null));
                    continue;
                }
                if (!byContent.TryGetValue(file.Fingerprint, out var walk))
                    byContent[file.Fingerprint] = walk = Walk(file, request, await ReadQueuesAsync(node.QueuesPath, ct));
                result.Add(new NodeWalk(node.Name, new LiveFile(file.Fingerprint, file.DeclaredSha256), walk));
            }
            var answer = result.FirstOrDefault(n => n.Walk is not null)?.Walk
                         ?? throw Problem.Conflict("Nothing has been deployed yet: no node has a live extensions_custom.conf. Apply first, or simulate with source=PENDING.");
            return (answer, result);
        }

        /// <summary>The dialplan the caller's apply would deploy now, as its preview renders it (a tenant admin's: its own
        /// tenant pending, every other as deployed): rendered into a private work folder (in one of the
        /// <see cref="RenderSlots"/>, shared with previews), walked, removed. Data the renderer refuses answers 409, as for a
        /// preview.</summary>
        private async Task<CallWalk> WalkPendingAsync(WalkRequest request, CancellationToken ct)
        {
            using var slot = await renders.EnterAsync(ct);
            var folder = work.CreateFolder("simulate-" + Guid.NewGuid().ToString("N"));
            try
            {
                var (_, rendered) = await runner.RenderPendingAsync(ctx, null, folder, ct);
                using var file = await DialplanFile.OpenAsync(rendered.ExtensionsPath, cache: false, ct)
                                 ?? throw new InvalidOperationException("the rendered file is missing");
                return Walk(file, request, await ReadQueuesAsync(rendered.QueuesPath, ct));
            }
            finally
            {
                work.Remove(folder);
            }
        }

        private static async Task<QueueSettings> ReadQueuesAsync(string path, CancellationToken ct)
        {
            if (!File.Exists(path)) return QueueSettings.None;
            return QueueSettings.Read(new StringReader(await File.ReadAllTextAsync(path, ct)));
        }

        private static CallWalk Walk(IDialplanSource source, WalkRequest request, QueueSettings queues)
        {
            try
            {
                return DialplanWalker.Walk(source, request, queues);
            }
            catch (DialplanWalkException e)
            {
                throw Problem.Conflict($"The dialplan cannot be simulated: {e.Message}.", new Dictionary<string, object?>
                {
                    ["steps"] = e.Steps.Select(s => new SimulatedStep(s.Context, s.Extension, s.Priority, s.Label, s.Application, s.Data, s.Note)).ToList(),
                });
            }
        }
    }

    /// <summary>Ids and labels of walk outcomes, from what the dialplan names (tenant slug, extension, IVR or queue name);
    /// a number's own Dial names no tenant, so the number's tenant is used. Confined to the caller's tenant when it has one.
    /// Each outcome is looked up once per request (nodes that run the same file have the same one).</summary>
    private sealed class OutcomeNames(NpgsqlConnection conn, Guid? scope, Guid? owner)
    {
        private readonly Dictionary<WalkOutcome, SimulatedOutcome> _named = [];

        public async Task<SimulatedOutcome?> NameAsync(WalkOutcome? o, CancellationToken ct)
        {
            if (o is null) return null;
            if (_named.TryGetValue(o, out var named)) return named;
            return _named[o] = await LookUpAsync(o, ct);
        }

        private async Task<SimulatedOutcome> LookUpAsync(WalkOutcome o, CancellationToken ct)
        {
            if (o.Type is OutcomeType.External or OutcomeType.Fallback or OutcomeType.Quarantine) return new SimulatedOutcome(o.Type, null, null, o.Value);
            var sql = o.Type switch
            {
                OutcomeType.User => "SELECT u.id, u.email || ' (' || u.extension || ')' AS label FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.extension = @name",
                OutcomeType.Ivr => "SELECT i.id, i.name AS label FROM ivrs i JOIN tenants t ON t.id = i.tenant_id WHERE i.name = @name",
                _ => "SELECT q.id, q.name AS label FROM queues q JOIN tenants t ON t.id = q.tenant_id WHERE q.name = @name",
            };
            var found = await conn.QuerySingleOrDefaultAsync<(Guid Id, string Label)?>(new CommandDefinition(sql + """
                 AND (t.slug = @slug OR (@slug::text IS NULL AND t.id = @owner)) AND (@scope::uuid IS NULL OR t.id = @scope)
                """, new { name = o.Name, slug = o.Tenant, owner, scope }, cancellationToken: ct));
            return new SimulatedOutcome(o.Type, found?.Id, found?.Label ?? o.Name, null);
        }
    }
}

public sealed class SimulateRouteModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/routing", "Routing")
            .MapGet("/simulate", async ([AsParameters] SimulateRouteQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("SimulateRoute")
            .WithSummary("Where a call to a number goes, for this caller, at this time, when its destination answers or not: walked through the " +
                         "dialplan text itself, from [from-trunk-external] on, not read from the routes in the database. number is required, E.164 or any " +
                         "written form libphonenumber reads (a national one with default_region, else Dids__DefaultRegion), and answered in E.164; " +
                         "caller_id is the caller ID as a carrier sends it (absent: withheld); at defaults to now; dial_status is what the destination's " +
                         "Dial or Queue returns (ANSWER by default); source LIVE walks each node's live file (and says when nodes differ), PENDING " +
                         "renders the database now and writes nothing (a 503 with Retry-After when as many renders run as Apply__RenderConcurrency allows and " +
                         "the queue is full or its wait is over). The answer names the outcome, the rule that decided, whether the failover " +
                         "ran, and every step. Platform admins and support: any number; tenant admins: their own numbers (any other is a 404).")
            .Produces<SimulationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
