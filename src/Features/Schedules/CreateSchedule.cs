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

/// <summary>Body of POST /api/v1/schedules. Without <c>open</c> a schedule is never OPEN (a list of closed dates alone is
/// useful for HOLIDAY rules). tenant_id is required for a platform admin and optional (own tenant) for a tenant admin.</summary>
public sealed record CreateScheduleRequest(
    string Name, string Timezone,
    IReadOnlyList<ScheduleOpenHours>? Open = null, IReadOnlyList<ScheduleClosedDate>? ClosedDates = null,
    Guid? TenantId = null) : ICommand<ScheduleResponse>;

public static class CreateSchedule
{
    public sealed class Validator : AbstractValidator<CreateScheduleRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().ScheduleName();
            RuleFor(r => r.Timezone).NotEmpty().Timezone();
            this.ValidateOpen(r => r.Open);
            this.ValidateClosed(r => r.ClosedDates);
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<CreateScheduleRequest, ScheduleResponse>
    {
        public async ValueTask<ScheduleResponse> Handle(CreateScheduleRequest r, CancellationToken ct)
        {
            var tenantId = ctx.ResolveTenant(r.TenantId);
            var id = Guid.CreateVersion7();
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await TenantExistence.EnsureExistsAsync(conn, tx, tenantId, ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO schedules (id, tenant_id, name, timezone) VALUES (@id, @tenantId, @Name, @Timezone)
                """, new { id, tenantId, r.Name, r.Timezone }, tx, cancellationToken: ct))
                .NamingDuplicates(ScheduleStore.DuplicateName(r.Name));
            await ScheduleStore.ReplaceAsync(conn, tx, id, tenantId, r.Open ?? [], r.ClosedDates ?? [], ct);
            var schedule = (await ScheduleStore.ReadAsync(conn, tx, "WHERE id = @id", new { id }, ct))[0];
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Create, AuditEntity.Schedule, id, tenantId, null, schedule, ct);
            await tx.CommitAsync(ct);
            return schedule;
        }
    }
}

public sealed class CreateScheduleModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/schedules", "Schedules")
            .MapPost("/", async (CreateScheduleRequest body, IMediator mediator, CancellationToken ct) =>
            {
                var schedule = await mediator.Send(body, ct);
                return TypedResults.Created($"/api/v1/schedules/{schedule.Id}", schedule);
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithName("CreateSchedule")
            .WithSummary("Create a schedule: opening hours by weekday and closed dates, in an IANA time zone.")
            .Produces<ScheduleResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
}
