using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.Users;

public sealed record GetUserQuery(Guid Id) : IQuery<UserResponse>;

public static class GetUser
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetUserQuery, UserResponse>
    {
        public async ValueTask<UserResponse> Handle(GetUserQuery q, CancellationToken ct)
        {
            var p = new DynamicParameters(UserScope.Params(ctx));
            p.Add("id", q.Id);
            await using var conn = await db.OpenConnectionAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
                $"SELECT {UserRow.Columns} FROM users WHERE id = @id AND {UserScope.Sql}", p, cancellationToken: ct));
            return row?.ToResponse() ?? throw Problem.NotFound("User", q.Id);
        }
    }
}

public sealed class GetUserModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/users", "Users")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetUserQuery(id), ct)))
            .RequireAuthorization(Policies.Authenticated)
            .WithName("GetUser")
            .WithSummary("Get a user. Users outside the caller's reach are a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
