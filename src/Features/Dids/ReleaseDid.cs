using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Dids;

public sealed record ReleaseDidCommand(Guid Id) : ICommand;

public static class ReleaseDid
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<ReleaseDidCommand>
    {
        public async ValueTask<Unit> Handle(ReleaseDidCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var before = (await conn.QuerySingleOrDefaultAsync<DidRow>(new CommandDefinition(
                $"SELECT {DidRow.Columns} FROM phone_numbers WHERE id = @Id FOR UPDATE", new { c.Id }, tx, cancellationToken: ct)))
                ?.ToResponse() ?? throw Problem.NotFound("DID", c.Id);
            if (before.Status == DidStatus.Quarantined)
                throw Problem.Conflict($"DID {before.Number} is quarantined until {NumberQuarantine.Date(before.QuarantineUntil!.Value)}; " +
                                       $"end its quarantine first (POST /api/v1/dids/{c.Id}/quarantine/end) to release it.");
            if (before.Status != DidStatus.Unassigned)
            {
                var tenant = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
                    "SELECT name FROM tenants WHERE id = @TenantId", new { before.TenantId }, tx, cancellationToken: ct));
                throw Problem.Conflict($"{DidRules.HeldBy(before.Number, ApiJson.Name(before.Status), tenant)}; only an UNASSIGNED number can be released.");
            }

            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM phone_numbers WHERE id = @Id", new { c.Id }, tx, cancellationToken: ct));
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Release, AuditEntity.PhoneNumber, c.Id, null, before, null, ct);
            await tx.CommitAsync(ct);
            return Unit.Value;
        }
    }
}

public sealed class ReleaseDidModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapDeleteCommand("/{id:guid}", id => new ReleaseDidCommand(id))
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithName("ReleaseDid")
            .WithSummary("Release an UNASSIGNED number from the inventory, back to its carrier (platform admin); 409 when a tenant holds it " +
                         "or it is QUARANTINED (end the quarantine first).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
