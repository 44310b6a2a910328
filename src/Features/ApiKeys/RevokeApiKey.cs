using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.ApiKeys;

public sealed record RevokeApiKeyCommand(Guid Id) : ICommand;

public static class RevokeApiKey
{
    /// <summary>Deletes the key's row: from the commit on, no instance accepts it (the others hear it from the database,
    /// this one forgets it at once). The audit row keeps what the key was, never its secret.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, ApiKeyLookup keys) : ICommandHandler<RevokeApiKeyCommand>
    {
        public async ValueTask<Unit> Handle(RevokeApiKeyCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var revoked = (await conn.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(
                $"DELETE FROM api_keys WHERE id = @Id AND {ApiKeyRow.Scope} RETURNING {ApiKeyRow.Columns}",
                new { c.Id, scope = ctx.TenantScope }, tx, cancellationToken: ct)))?.ToResponse()
                ?? throw Problem.NotFound("API key", c.Id);
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Revoke, AuditEntity.ApiKey, revoked.Id, revoked.TenantId, revoked, null, ct);
            await tx.CommitAsync(ct);
            keys.Forget(revoked.Id);
            return Unit.Value;
        }
    }
}

public sealed class RevokeApiKeyModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/api-keys", "API keys")
            .MapDeleteCommand("/{id:guid}", id => new RevokeApiKeyCommand(id))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("RevokeApiKey")
            .WithSummary("Revoke an API key: every instance refuses it from the commit on. A tenant admin revokes its tenant's keys; another tenant's is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
