using FluentMigrator;

namespace Did.Migrations;

/// <summary>Sign-in throttling by source address as well as by account (Features/Auth/SignInThrottle). The old table
/// was keyed by email alone, so anyone could lock any account out, and it kept every email ever typed.
/// <para>One row per source address (<c>account</c> empty) counts the attempts from that address that did not end in a
/// sign-in, whatever email they named; one row per address and email counts those for that email. An email's row is
/// written only by an attempt its address's row let through, so an address adds at most as many rows as it is allowed
/// attempts, whether or not the emails exist; rows are deleted once they expire. The email is kept as its SHA-256, so
/// the table holds no typed text (a password typed into the email field included).</para></summary>
[Migration(2026120603, "sign-in throttle by address and account")]
public sealed class M0010_SignInThrottle : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            DROP TABLE login_throttle;

            CREATE TABLE login_throttle (
                address        inet        NOT NULL,
                account        bytea       NOT NULL,
                failures       int         NOT NULL,
                blocked_until  timestamptz NOT NULL,
                expires_at     timestamptz NOT NULL,
                admitted       boolean     NOT NULL,
                CONSTRAINT pk_login_throttle PRIMARY KEY (address, account),
                CONSTRAINT ck_login_throttle_account CHECK (length(account) IN (0, 32)),
                CONSTRAINT ck_login_throttle_failures CHECK (failures >= 0),
                CONSTRAINT ck_login_throttle_expiry CHECK (expires_at >= blocked_until)
            );
            CREATE INDEX ix_login_throttle_expires ON login_throttle (expires_at);

            COMMENT ON COLUMN login_throttle.address IS 'source address: IPv4 /32, IPv6 /64';
            COMMENT ON COLUMN login_throttle.account IS 'SHA-256 of the lower-cased email; empty for the row of the whole address';
            COMMENT ON COLUMN login_throttle.failures IS 'attempts let through in this window that have not ended in a sign-in';
            COMMENT ON COLUMN login_throttle.admitted IS 'whether the latest attempt was let through (RETURNING sees only the new row)';
            """);
    }

    public override void Down()
    {
        Execute.Sql("""
            DROP TABLE login_throttle;
            CREATE TABLE login_throttle (
                email         varchar(254) PRIMARY KEY,
                failures      int          NOT NULL,
                locked_until  timestamptz  NULL,
                updated_at    timestamptz  NOT NULL DEFAULT now()
            );
            """);
    }
}
