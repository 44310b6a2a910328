using System.ComponentModel;
using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Users;

public sealed record ListUsersQuery(
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "role")] QueryEnum<Role>? Role = null,
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<Paged<UserResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("users", ("tenant_id", TenantId), ("role", Role));
}

/// <summary>The sort key of the user list: emails are unique whatever their case (ux_users_email on lower(email)).</summary>
public sealed record UserCursor(string Email);

public static class ListUsers
{
    public sealed class Validator : AbstractValidator<ListUsersQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListUsersQuery, Paged<UserResponse>>
    {
        public async ValueTask<Paged<UserResponse>> Handle(ListUsersQuery q, CancellationToken ct)
        {
            const string where = $"""
                WHERE {UserScope.Sql}
                  AND (@tenantId::uuid IS NULL OR tenant_id = @tenantId)
                  AND (@role::text IS NULL OR role = @role)
                """;
            var after = q.After<UserCursor>();
            var keyset = after is null ? "" : "AND lower(email) > lower(@afterEmail)";
            var p = new DynamicParameters(UserScope.Params(ctx));
            p.AddDynamicParams(new { q.TenantId, role = q.Role?.ToString(), afterEmail = after?.Email, limit = q.Limit(), offset = q.Offset() });
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await PageSnapshot.BeginAsync(conn, ct);
            using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT count(*) FROM users {where};
                SELECT {UserRow.Columns} FROM users {where} {keyset} ORDER BY lower(email) LIMIT @limit OFFSET @offset;
                """, p, tx, cancellationToken: ct));
            var total = await results.ReadSingleAsync<long>();
            var rows = (await results.ReadAsync<UserRow>()).Select(u => u.ToResponse()).ToList();
            return q.ToPaged(rows, total, u => new UserCursor(u.Email));
        }
    }
}

public sealed class ListUsersModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/users", "Users")
            .MapGet("/", async ([AsParameters] ListUsersQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Authenticated)
            .WithName("ListUsers")
            .WithSummary("List users by email. A tenant admin sees its tenant's users; a USER sees only itself. Follow next_cursor (cursor=) for the next page.")
            .Produces<Paged<UserResponse>>()
            .ProducesValidationProblem();
}
