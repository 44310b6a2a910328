using Carter;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Mediator;
using Npgsql;

namespace Did.Features.Ivrs;

public sealed record DeleteIvrCommand(Guid Id) : ICommand;

public static class DeleteIvr
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<DeleteIvrCommand>
    {
        public async ValueTask<Unit> Handle(DeleteIvrCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var found = await IvrStore.ReadAsync(conn, tx, "WHERE id = @id AND (@scope::uuid IS NULL OR tenant_id = @scope) FOR UPDATE",
                new { id = c.Id, scope = ctx.TenantScope }, ct);
            var before = found.Count == 1 ? found[0] : throw Problem.NotFound("IVR", c.Id);
            await RouteReferences.EnsureUnreferencedAsync(conn, tx, DestinationType.Ivr, c.Id, $"IVR '{before.Name}'", ct);
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM ivrs WHERE id = @id", new { id = c.Id }, tx, cancellationToken: ct));
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Delete, AuditEntity.Ivr, c.Id, before.TenantId, before, null, ct);
            await tx.CommitAsync(ct);
            return Unit.Value;
        }
    }
}

public sealed class DeleteIvrModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/ivrs", "IVRs")
            .MapDelete("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new DeleteIvrCommand(id), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithName("DeleteIvr")
            .WithSummary("Delete an IVR; 409 listing the numbers and IVRs that still send calls to it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
