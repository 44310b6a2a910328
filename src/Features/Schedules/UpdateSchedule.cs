using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Schedules;

/// <summary>Body of PATCH /api/v1/schedules/{id}: absent fields stay; <c>open</c> and <c>closed_dates</c>, when sent,
/// each replace their whole list.</summary>
public sealed record UpdateScheduleRequest(
    string? Name = null, string? Timezone = null,
    IReadOnlyList<ScheduleOpenHours>? Open = null, IReadOnlyList<ScheduleClosedDate>? ClosedDates = null) : ICommand<ScheduleResponse>
{
    /// <summary>From the route; internal, so a body naming "id" is refused
    /// (docs/decisions.md, "A value is read as sent, or refused").</summary>
    internal Guid Id { get; init; }
}

public static class UpdateSchedule
{
    public sealed class Validator : AbstractValidator<UpdateScheduleRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Name).ScheduleName().When(r => r.Name is not null);
            RuleFor(r => r.Timezone).Timezone().When(r => r.Timezone is not null);
            this.ValidateOpen(r => r.Open);
            this.ValidateClosed(r => r.ClosedDates);
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<UpdateScheduleRequest, ScheduleResponse>
    {
        public async ValueTask<ScheduleResponse> Handle(UpdateScheduleRequest r, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var before = await TenantOwned.LockToChangeAsync<ScheduleStore, ScheduleResponse>(conn, tx, ctx, r.Id, ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE schedules SET name = coalesce(@Name, name), timezone = coalesce(@Timezone, timezone), updated_at = clock_timestamp()
                WHERE id = @Id
                """, new { r.Id, r.Name, r.Timezone }, tx, cancellationToken: ct))
                .NamingDuplicates(ScheduleStore.DuplicateName(r.Name));
            await ScheduleStore.ReplaceAsync(conn, tx, r.Id, before.TenantId, r.Open, r.ClosedDates, ct);
            var after = (await ScheduleStore.ReadAsync(conn, tx, "WHERE id = @id", new { id = r.Id }, ct))[0];
            if (!AuditChange.Changed(before, after))
            {
                // Nothing changed: undo the write, so updated_at stays and no audit row says nothing.
                await tx.RollbackAsync(ct);
                return before;
            }
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Update, AuditEntity.Schedule, r.Id, before.TenantId, before, after, ct);
            await tx.CommitAsync(ct);
            return after;
        }
    }
}

public sealed class UpdateScheduleModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/schedules", "Schedules")
            .MapPatch("/{id:guid}", async (Guid id, UpdateScheduleRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body with { Id = id }, ct)))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("UpdateSchedule")
            .WithSummary("Change a schedule. open and closed_dates, when sent, each replace their whole list.")
            .Produces<ScheduleResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
