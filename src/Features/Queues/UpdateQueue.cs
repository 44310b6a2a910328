using System.ComponentModel;
using Carter;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Queues;

/// <summary>Body of PATCH /api/v1/queues/{id}: absent fields stay; <c>members</c>, when sent, replaces the list;
/// <c>max_wait_seconds</c> sent as null removes the caller wait limit.</summary>
public sealed record UpdateQueueRequest(
    string? Name = null, QueueStrategy? Strategy = null,
    [property: Description(QueueRules.MemberRingSecondsDescription)] int? MemberRingSeconds = null,
    IReadOnlyList<Guid>? Members = null)
    : ICommand<QueueResponse>
{
    private readonly int? _maxWaitSeconds;

    // Id is from the route, MaxWaitSecondsSent from whether the body names max_wait_seconds; internal, so a body naming
    // either is refused (docs/decisions.md, "A value is read as sent, or refused").
    internal Guid Id { get; init; }

    /// <summary>Set only when the body names it (null included), so that an absent field stays and a null one clears.</summary>
    [Description(QueueRules.MaxWaitSecondsDescription)]
    public int? MaxWaitSeconds
    {
        get => _maxWaitSeconds;
        init
        {
            _maxWaitSeconds = value;
            MaxWaitSecondsSent = true;
        }
    }

    internal bool MaxWaitSecondsSent { get; private init; }
}

public static class UpdateQueue
{
    public sealed class Validator : AbstractValidator<UpdateQueueRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Name).QueueName().When(r => r.Name is not null);
            RuleFor(r => r.MemberRingSeconds).MemberRingSeconds().When(r => r.MemberRingSeconds is not null);
            RuleFor(r => r.Members).Members();
            RuleFor(r => r.MaxWaitSeconds).MaxWaitSeconds();
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<UpdateQueueRequest, QueueResponse>
    {
        public async ValueTask<QueueResponse> Handle(UpdateQueueRequest r, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var before = await TenantOwned.LockToChangeAsync<QueueStore, QueueResponse>(conn, tx, ctx, r.Id, ct);
            if (r.Members is { } members)
            {
                await RouteTargets.EnsureInTenantAsync(conn, tx, before.TenantId, QueueStore.Targets(members), ct);
                await QueueStore.ReplaceMembersAsync(conn, tx, r.Id, before.TenantId, members, ct);
            }
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE queues SET name = coalesce(@Name, name), strategy = coalesce(@strategy, strategy),
                    member_ring_seconds = coalesce(@MemberRingSeconds, member_ring_seconds),
                    max_wait_seconds = CASE WHEN @MaxWaitSecondsSent THEN @MaxWaitSeconds ELSE max_wait_seconds END, updated_at = clock_timestamp()
                WHERE id = @Id
                """, new
                {
                    r.Id, r.Name, strategy = r.Strategy is { } s ? ApiJson.Name(s) : null, r.MemberRingSeconds,
                    r.MaxWaitSecondsSent, r.MaxWaitSeconds,
                }, tx, cancellationToken: ct)).NamingDuplicates(QueueStore.DuplicateName(r.Name));
            var after = (await QueueStore.ReadAsync(conn, tx, "WHERE id = @id", new { id = r.Id }, ct))[0];
            if (!AuditChange.Changed(before, after))
            {
                // Nothing changed: undo the write, so updated_at stays and no audit row says nothing.
                await tx.RollbackAsync(ct);
                return before;
            }
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Update, AuditEntity.Queue, r.Id, before.TenantId, before, after, ct);
            await tx.CommitAsync(ct);
            return after;
        }
    }
}

public sealed class UpdateQueueModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/queues", "Queues")
            .MapPatch("/{id:guid}", async (Guid id, UpdateQueueRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body with { Id = id }, ct)))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("UpdateQueue")
            .WithSummary("Change a queue. members, when sent, replaces the member list.")
            .Produces<QueueResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
