using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Did.Dialplan;
using Mediator;
using Npgsql;

namespace Did.Features.Users;

public sealed record DeleteUserCommand(Guid Id) : ICommand;

public static class DeleteUser
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, SecurityStamps stamps, ApiKeyLookup keys) : ICommandHandler<DeleteUserCommand>
    {
        public async ValueTask<Unit> Handle(DeleteUserCommand c, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var p = new DynamicParameters(UserScope.Params(ctx));
            p.Add("id", c.Id);
            var before = (await conn.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
                $"SELECT {UserRow.Columns} FROM users WHERE id = @id AND {UserScope.Sql} FOR UPDATE", p, tx, cancellationToken: ct)))
                ?.ToResponse() ?? throw Problem.NotFound("User", c.Id);
            if (c.Id == ctx.ActorId)
                throw Problem.Conflict("You cannot delete your own account.");
            if (before.Role == Role.PlatformAdmin)
                await UserRules.EnsureAnotherPlatformAdminAsync(conn, tx, c.Id, ct);

            await RouteReferences.EnsureUnreferencedAsync(conn, tx, DestinationType.User, c.Id, $"User {before.Email}", ct);
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM users WHERE id = @id", new { id = c.Id }, tx, cancellationToken: ct));
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Delete, AuditEntity.User, c.Id, before.TenantId, before, null, ct);
            await tx.CommitAsync(ct);
            stamps.Forget(c.Id); // the others hear it from the database
            keys.ForgetCreatedBy(c.Id); // its keys went with it

            return Unit.Value;
        }
    }
}

public sealed class DeleteUserModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/users", "Users")
            .MapDeleteCommand("/{id:guid}", id => new DeleteUserCommand(id))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("DeleteUser")
            .WithSummary("Delete a user; its tokens stop working at once. 409 for yourself, for the last platform admin, or for a user that numbers route to.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
