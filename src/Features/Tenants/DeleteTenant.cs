using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Tenants;

public sealed record DeleteTenantCommand(Guid Id) : ICommand;

public static class DeleteTenant
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, ApiKeyLookup keys) : ICommandHandler<DeleteTenantCommand>
    {
        public async ValueTask<Unit> Handle(DeleteTenantCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var before = await conn.QuerySingleOrDefaultAsync<TenantResponse>(new CommandDefinition(
                $"SELECT {TenantSql.Columns} FROM tenants WHERE id = @Id FOR UPDATE", new { c.Id }, tx, cancellationToken: ct))
                ?? throw Problem.NotFound("Tenant", c.Id);

            var owned = await TenantHoldings.ReadAsync(conn, tx, c.Id, ct);
            if (owned.Any)
                throw Problem.Conflict($"Tenant '{before.Name}' still owns {owned.Describe()}; remove them first.",
                    new Dictionary<string, object?>
                    {
                        ["users"] = owned.Users, ["numbers"] = owned.Numbers,
                        ["ivrs"] = owned.Ivrs, ["queues"] = owned.Queues, ["schedules"] = owned.Schedules,
                    });

            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM tenants WHERE id = @Id", new { c.Id }, tx, cancellationToken: ct));
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Delete, AuditEntity.Tenant, c.Id, c.Id, before, null, ct);
            await tx.CommitAsync(ct);
            keys.ForgetTenant(c.Id); // its API keys went with it; the other instances hear each one
            return Unit.Value;
        }
    }
}

public sealed class DeleteTenantModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/tenants", "Tenants")
            .MapDeleteCommand("/{id:guid}", id => new DeleteTenantCommand(id))
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithName("DeleteTenant")
            .WithSummary("Delete a tenant that owns no users, numbers, IVRs, queues or schedules (platform admin); otherwise 409 naming them.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
