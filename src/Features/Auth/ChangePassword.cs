using Carter;
using Dapper;
using Did.Features.Users;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Http;
using Did.Infrastructure.Json;
using Did.Infrastructure.OpenApi;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Auth;

/// <summary>Body of POST /api/v1/auth/password.</summary>
public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword) : ICommand<TokenResponse>;

public static class ChangePassword
{
    public sealed class Validator : AbstractValidator<ChangePasswordRequest>
    {
        public Validator()
        {
            // Not the new-password rules: a password that predates them must still be accepted as the current one.
            RuleFor(r => r.CurrentPassword).NotEmpty().MaximumLength(128);
            RuleFor(r => r.NewPassword).NotEmpty().NewPassword();
            RuleFor(r => r.NewPassword)
                .Must((r, p) => PasswordPolicy.Normalize(p) != PasswordPolicy.Normalize(r.CurrentPassword ?? ""))
                .WithMessage("'new_password' must differ from 'current_password'.")
                .When(r => !string.IsNullOrEmpty(r.NewPassword));
        }
    }

    /// <summary>A signed-in person changes its own password. The current password is checked as a sign-in would check
    /// it, under the same throttle and key (this address and the account's email), so a wrong one is a failed sign-in
    /// and a guesser holding a stolen token gets no more tries than at the token endpoint. The new password is hashed
    /// in a hashing slot with no connection held; the update takes the row only if its hash is still the one the
    /// current password was checked against, rotates the security stamp (every token of the user ends, on every
    /// replica) and writes the audit row in the same transaction. The answer is a new token, since the one that made
    /// the request ended with the stamp.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, SignInThrottle throttle, PasswordHasher hasher,
        SecurityStamps stamps, TokenIssuer issuer) : ICommandHandler<ChangePasswordRequest, TokenResponse>
    {
        private sealed record Account(string Email, string PasswordHash);

        private sealed record Changed(Guid SecurityStamp, DateTime UpdatedAt);

        public async ValueTask<TokenResponse> Handle(ChangePasswordRequest r, CancellationToken ct)
        {
            if (ctx.IsApiKey)
                throw Problem.Forbidden("An API key has no password to change; only a signed-in person changes its own password.");
            var id = ctx.ActorId ?? throw Gone();

            Account? account;
            await using (var conn = await db.OpenConnectionAsync(ct))
                account = await conn.QuerySingleOrDefaultAsync<Account>(new CommandDefinition(
                    "SELECT email, password_hash FROM users WHERE id = @id", new { id }, cancellationToken: ct));
            if (account is null)
                throw Gone();

            // The key a sign-in with this account's email from this address is counted by.
            var key = SignInKey.For(ctx.RemoteAddress, EmailAddress.Canonical(account.Email).ToLowerInvariant());
            if (!await throttle.AttemptAsync(key, c => hasher.VerifyAsync(r.CurrentPassword, account.PasswordHash, c), ct))
                throw Problem.Invalid("current_password", "'current_password' is not this account's current password.");

            var hash = await hasher.HashAsync(r.NewPassword, ct);
            await using (var conn = await db.OpenConnectionAsync(ct))
            await using (var tx = await conn.BeginTransactionAsync(ct))
            {
                var before = (await conn.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
                    $"SELECT {UserRow.Columns} FROM users WHERE id = @id AND password_hash = @checkedHash FOR UPDATE",
                    new { id, checkedHash = account.PasswordHash }, tx, cancellationToken: ct)))?.ToResponse()
                    ?? throw Problem.Conflict("The password was changed by another request meanwhile; sign in with the new one.");
                var changed = await conn.QuerySingleAsync<Changed>(new CommandDefinition("""
                    UPDATE users SET password_hash = @hash, security_stamp = gen_random_uuid(), updated_at = clock_timestamp()
                    WHERE id = @id
                    RETURNING security_stamp, updated_at
                    """, new { id, hash }, tx, cancellationToken: ct));
                var after = before with { UpdatedAt = changed.UpdatedAt };
                await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.ChangePassword, AuditEntity.User, id, before.TenantId, before, after, ct);
                await tx.CommitAsync(ct);

                // The database notifies every replica; this one forgets at once, so old tokens fail on the next request.
                stamps.Forget(id);
                var (token, expiresIn) = issuer.Issue(id, before.Role, before.TenantId, changed.SecurityStamp);
                return new TokenResponse(token, "Bearer", expiresIn);
            }
        }

        private static ProblemException Gone() =>
            new(StatusCodes.Status401Unauthorized, "Unauthorized", "The account that signed in no longer exists.");
    }
}

public sealed class ChangePasswordModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/auth", "Auth")
            .MapPost("/password", async (ChangePasswordRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body, ct)))
            .KeepsAnswersOutOfCaches() // a token on success; a refusal says which attempts were checked
            .RequireAuthorization(Policies.Authenticated)
            .WithName("ChangePassword")
            .WithSummary("Change your own password (any signed-in person, not an API key). Ends all your tokens; answers a new one.")
            .WithDescription("The current password is checked like a sign-in, under the same throttle: a wrong one is a 400 naming " +
                "current_password and counts as a failed sign-in of this account from this address; past the allowed number each " +
                "further attempt is refused (429, Retry-After) without checking. The new password must follow the password rules " +
                "and differ from the current one. On success every token of the user stops working at once, the one that made " +
                "this request included, and the answer carries a new token. A 503 with Retry-After means the service is checking " +
                "as many passwords as it can at once.")
            .Produces<TokenResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
