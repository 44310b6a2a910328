using Dapper;
using Did.Infrastructure.Errors;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Did.Features.Auth;

/// <summary>Counts sign-in attempts that do not end in a sign-in, per source address and per email from that address
/// (table <c>login_throttle</c>, migration M0010), so that failures from one address never stop the account's owner
/// signing in from another. Past the allowed failures each further attempt waits, the wait doubling up to a maximum:
/// a backoff, not a lock. An attempt is counted before its password is checked, by one statement that decides
/// whether it may go ahead: parallel guesses are serialized on the rows, so no more than the allowed number are ever
/// checked. Only a password checked and found wrong stays counted: a sign-in takes its own count back and clears the
/// email's count from that address; an attempt that never reached the check (its email waiting, no hashing slot, client
/// gone) takes back its counts and the waits its admission set.</summary>
public sealed class SignInThrottle(NpgsqlDataSource db, IOptions<SignInOptions> options)
{
    private readonly int[] _accountBackoff = SignInOptions.Backoff(
        options.Value.AccountFailures, options.Value.FirstBackoffSeconds, options.Value.MaxBackoffSeconds);
    private readonly int[] _addressBackoff = SignInOptions.Backoff(
        options.Value.AddressFailures, options.Value.FirstBackoffSeconds, options.Value.MaxBackoffSeconds);

    /// <param name="AddressWaitSet">The wait an attempt its address let through wrote into the address's row, for it to
    /// take back if the attempt signs in or never reaches the check.</param>
    /// <param name="AccountWaitSet">Likewise, the wait an admitted attempt wrote into its email's row.</param>
    public sealed record Admission(bool Admitted, int RetryAfterSeconds, DateTime? AddressWaitSet, DateTime? AccountWaitSet);

    /// <summary>Counts the attempt and says whether its password may be checked. The address's row decides first; only
    /// an attempt it lets through touches (and may create) the email's row, so refused attempts add no rows. Both rows
    /// are locked in the same order (address, then email) by every statement here, so they cannot deadlock. The two
    /// upserts are one rule, each with its own backoff: a row still waiting refuses the attempt and keeps its count; any
    /// other counts it (from 1 again once the row has expired) and sets the wait that follows this failure, if it fails.
    /// <c>admitted</c> is written into the row because RETURNING sees only the row as updated.</summary>
    public async Task<Admission> AdmitAsync(SignInKey key, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<Admission>(new CommandDefinition("""
            WITH address AS (
                INSERT INTO login_throttle AS t (address, account, failures, blocked_until, expires_at, admitted)
                VALUES (@Network::inet, ''::bytea, 1, now() + make_interval(secs => @AddressBackoff[1]),
                        now() + make_interval(secs => @ForgetAfter), true)
                ON CONFLICT (address, account) DO UPDATE SET (admitted, failures, blocked_until, expires_at) = (
                    SELECT NOT s.blocked,
                           CASE WHEN s.blocked THEN t.failures ELSE s.n END,
                           CASE WHEN s.blocked THEN t.blocked_until
                                ELSE now() + make_interval(secs => @AddressBackoff[least(s.n, cardinality(@AddressBackoff))]) END,
                           now() + make_interval(secs => @ForgetAfter)
                    FROM (SELECT t.blocked_until > now(), CASE WHEN t.expires_at > now() THEN t.failures + 1 ELSE 1 END) AS s (blocked, n))
                RETURNING admitted, blocked_until
            ),
            account AS (
                INSERT INTO login_throttle AS t (address, account, failures, blocked_until, expires_at, admitted)
                SELECT @Network::inet, @Account, 1, now() + make_interval(secs => @AccountBackoff[1]),
                       now() + make_interval(secs => @ForgetAfter), true
                FROM address WHERE address.admitted
                ON CONFLICT (address, account) DO UPDATE SET (admitted, failures, blocked_until, expires_at) = (
                    SELECT NOT s.blocked,
                           CASE WHEN s.blocked THEN t.failures ELSE s.n END,
                           CASE WHEN s.blocked THEN t.blocked_until
                                ELSE now() + make_interval(secs => @AccountBackoff[least(s.n, cardinality(@AccountBackoff))]) END,
                           now() + make_interval(secs => @ForgetAfter)
                    FROM (SELECT t.blocked_until > now(), CASE WHEN t.expires_at > now() THEN t.failures + 1 ELSE 1 END) AS s (blocked, n))
                RETURNING admitted, blocked_until
            )
            SELECT coalesce(account.admitted, false) AS admitted,
                   greatest(1, ceil(extract(epoch FROM coalesce(account.blocked_until, address.blocked_until) - now())))::int
                       AS retry_after_seconds,
                   CASE WHEN address.admitted THEN address.blocked_until END AS address_wait_set,
                   CASE WHEN account.admitted THEN account.blocked_until END AS account_wait_set
            FROM address LEFT JOIN account ON true
            """, new
            {
                key.Network, key.Account, AccountBackoff = _accountBackoff, AddressBackoff = _addressBackoff,
                ForgetAfter = options.Value.ForgetAfterSeconds,
            }, cancellationToken: ct));
    }

    /// <summary>One counted attempt at an account's password, for every route that checks one (sign-in, a password
    /// change): counted first (429 with Retry-After while the key must wait, without checking), then
    /// <paramref name="check"/> reads what it needs and verifies the password in a hashing slot, with no connection held
    /// while it hashes. A success takes its count back (<see cref="SignedInAsync"/>); an attempt its email's wait refused,
    /// and a check that throws (no hashing slot in time, client gone), never decided on the password, so their counts
    /// and waits are withdrawn; a failure stays counted.</summary>
    public async Task<bool> AttemptAsync(SignInKey key, Func<CancellationToken, Task<bool>> check, CancellationToken ct)
    {
        var admission = await AdmitAsync(key, ct);
        if (!admission.Admitted)
        {
            if (admission.AddressWaitSet is not null) // the address let it through; the email's wait refused it
                await WithdrawFromAddressAsync(key, admission, CancellationToken.None);
            throw TooManyAttempts(admission.RetryAfterSeconds);
        }

        bool verified;
        try
        {
            verified = await check(ct);
        }
        catch
        {
            await WithdrawAsync(key, admission, CancellationToken.None);
            throw;
        }
        if (verified)
            await SignedInAsync(key, admission, ct);
        return verified;
    }

    private static ProblemException TooManyAttempts(int seconds) =>
        new(StatusCodes.Status429TooManyRequests, "Too many failed sign-ins",
            $"Too many failed sign-ins from this address; try again in {seconds} seconds.",
            new Dictionary<string, object?> { ["retry_after_seconds"] = seconds });

    /// <summary>The address's count and the wait its admission set, taken back: the wait was to follow this attempt only
    /// if it failed. While it stood every other attempt from the address was refused, so the row was not waiting before
    /// this attempt, and only a wait this attempt wrote goes (the same time still in the row).</summary>
    private const string TakeBackFromAddress = """
        UPDATE login_throttle SET failures = greatest(failures - 1, 0),
            blocked_until = CASE WHEN blocked_until = @AddressWaitSet THEN least(blocked_until, now()) ELSE blocked_until END
        WHERE address = @Network::inet AND account = ''::bytea;
        """;

    /// <summary>The attempt signed in: it is no failure of its address, which is free again as it was before this attempt,
    /// and the email's count from there starts over.</summary>
    private async Task SignedInAsync(SignInKey key, Admission admission, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition($"""
            {TakeBackFromAddress}
            DELETE FROM login_throttle WHERE address = @Network::inet AND account = @Account;
            """, new { key.Network, key.Account, admission.AddressWaitSet }, cancellationToken: ct));
    }

    /// <summary>The attempt was counted but its password never checked: take its counts back, and the waits its
    /// admission wrote, as <see cref="TakeBackFromAddress"/> does for the address: the email's row was not waiting before
    /// this attempt either (a waiting row refuses), so the email is as free as it was. An email's row left with nothing
    /// to count goes, so attempts cut short cannot pile up rows.</summary>
    private async Task WithdrawAsync(SignInKey key, Admission admission, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition($"""
            {TakeBackFromAddress}
            DELETE FROM login_throttle WHERE address = @Network::inet AND account = @Account AND failures <= 1;
            UPDATE login_throttle SET failures = failures - 1,
                blocked_until = CASE WHEN blocked_until = @AccountWaitSet THEN least(blocked_until, now()) ELSE blocked_until END
            WHERE address = @Network::inet AND account = @Account;
            """, new { key.Network, key.Account, admission.AddressWaitSet, admission.AccountWaitSet }, cancellationToken: ct));
    }

    /// <summary>The address let the attempt through but its email's wait refused it: only the address's count and wait
    /// are taken back (the email's row kept its count, as a waiting row does).</summary>
    private async Task WithdrawFromAddressAsync(SignInKey key, Admission admission, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(TakeBackFromAddress,
            new { key.Network, admission.AddressWaitSet }, cancellationToken: ct));
    }

    /// <summary>Deletes expired rows, a batch at a time; rows a sign-in holds at that moment are left for the next run.
    /// Returns how many went.</summary>
    public async Task<int> PruneAsync(CancellationToken ct)
    {
        const int batch = 5000;
        var total = 0;
        await using var conn = await db.OpenConnectionAsync(ct);
        while (true)
        {
            var deleted = await conn.ExecuteAsync(new CommandDefinition("""
                DELETE FROM login_throttle t
                USING (SELECT address, account FROM login_throttle WHERE expires_at <= now()
                       LIMIT @batch FOR UPDATE SKIP LOCKED) AS expired
                WHERE t.address = expired.address AND t.account = expired.account
                """, new { batch }, cancellationToken: ct));
            total += deleted;
            if (deleted < batch) return total;
        }
    }
}
