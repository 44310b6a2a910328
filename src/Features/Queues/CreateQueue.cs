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

/// <summary>Body of POST /api/v1/queues. tenant_id is required for a platform admin, optional for a tenant admin.</summary>
public sealed record CreateQueueRequest(
    string Name, QueueStrategy Strategy,
    [property: Description(QueueRules.MemberRingSecondsDescription)] int MemberRingSeconds,
    IReadOnlyList<Guid>? Members = null, Guid? TenantId = null,
    [property: Description(QueueRules.MaxWaitSecondsDescription)] int? MaxWaitSeconds = null)
    : ICommand<QueueResponse>;

public static class CreateQueue
{
    public sealed class Validator : AbstractValidator<CreateQueueRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().QueueName();
            RuleFor(r => r.MemberRingSeconds).MemberRingSeconds();
            RuleFor(r => r.Members).Members();
            RuleFor(r => r.MaxWaitSeconds).MaxWaitSeconds();
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<CreateQueueRequest, QueueResponse>
    {
        public async ValueTask<QueueResponse> Handle(CreateQueueRequest r, CancellationToken ct)
        {
            var tenantId = ctx.ResolveTenant(r.TenantId);
            var members = r.Members ?? [];
            var id = Guid.CreateVersion7();
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await TenantExistence.EnsureExistsAsync(conn, tx, tenantId, ct);
            await RouteTargets.EnsureInTenantAsync(conn, tx, tenantId, QueueStore.Targets(members), ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO queues (id, tenant_id, name, strategy, member_ring_seconds, max_wait_seconds)
                VALUES (@id, @tenantId, @Name, @strategy, @MemberRingSeconds, @MaxWaitSeconds)
                """, new { id, tenantId, r.Name, strategy = ApiJson.Name(r.Strategy), r.MemberRingSeconds, r.MaxWaitSeconds }, tx, cancellationToken: ct))
                .NamingDuplicates(QueueStore.DuplicateName(r.Name));
            await QueueStore.ReplaceMembersAsync(conn, tx, id, tenantId, members, ct);
            var queue = (await QueueStore.ReadAsync(conn, tx, "WHERE id = @id", new { id }, ct))[0];
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Create, AuditEntity.Queue, id, tenantId, null, queue, ct);
            await tx.CommitAsync(ct);
            return queue;
        }
    }
}

public sealed class CreateQueueModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/queues", "Queues")
            .MapPost("/", async (CreateQueueRequest body, IMediator mediator, CancellationToken ct) =>
            {
                var queue = await mediator.Send(body, ct);
                return TypedResults.Created($"/api/v1/queues/{queue.Id}", queue);
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithName("CreateQueue")
            .WithSummary("Create a call queue of users of one tenant.")
            .Produces<QueueResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
}
