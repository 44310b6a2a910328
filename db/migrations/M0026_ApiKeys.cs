using FluentMigrator;

namespace Did.Migrations;

/// <summary>API keys for scripts (Infrastructure/Auth/ApiKey*.cs, Features/ApiKeys). Only the SHA-256 of a key's secret is
/// stored; the secret itself is shown once, at creation. Revoking a key deletes its row.
/// <para>A key never outlives its creator's right to make it: it goes with its creator (deleted) or its tenant
/// (deleted), and when its creator's role or tenant changes so that the creator could no longer create it (a platform
/// admin may create any key; a tenant admin TENANT_ADMIN and USER keys of its own tenant), the trigger on users deletes
/// it in the same transaction.</para>
/// <para>Every running service keeps checked keys in memory while it listens on <c>did_api_key</c>: a key's row deleted
/// (revoked, or gone with its creator or tenant) or changed where it matters notifies its id at commit, a TRUNCATE
/// notifies "*". <c>last_used_at</c> changes notify nothing: it is not part of what a key may do.</para>
/// <para><c>api_key_addresses</c> holds the source networks (IPv4 /32, IPv6 /64) each key has been used from, so the
/// first use from a new one is audited once, whichever service instance sees it.</para></summary>
[Migration(2026120710, "API keys")]
public sealed class M0026_ApiKeys : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE api_keys (
                id             uuid         PRIMARY KEY,
                name           varchar(200) NOT NULL,
                prefix         varchar(12)  NOT NULL,
                secret_sha256  bytea        NOT NULL,
                role           text         NOT NULL,
                tenant_id      uuid         NULL,
                created_by     uuid         NOT NULL,
                created_at     timestamptz  NOT NULL DEFAULT now(),
                expires_at     timestamptz  NULL,
                last_used_at   timestamptz  NULL,
                CONSTRAINT fk_api_keys_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
                CONSTRAINT fk_api_keys_creator FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE CASCADE,
                CONSTRAINT ux_api_keys_secret UNIQUE (secret_sha256),
                CONSTRAINT ck_api_keys_secret CHECK (length(secret_sha256) = 32),
                CONSTRAINT ck_api_keys_prefix CHECK (prefix ~ '^did_[A-Za-z0-9_-]{8}$'),
                CONSTRAINT ck_api_keys_name CHECK (length(btrim(name)) > 0),
                CONSTRAINT ck_api_keys_role CHECK (role IN ('PLATFORM_ADMIN', 'SUPPORT', 'TENANT_ADMIN', 'USER')),
                CONSTRAINT ck_api_keys_role_tenant CHECK (
                    (role IN ('PLATFORM_ADMIN', 'SUPPORT') AND tenant_id IS NULL)
                    OR (role IN ('TENANT_ADMIN', 'USER') AND tenant_id IS NOT NULL)),
                CONSTRAINT ck_api_keys_expiry CHECK (expires_at IS NULL OR expires_at > created_at)
            );
            CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id, created_at DESC, id DESC);
            CREATE INDEX ix_api_keys_creator ON api_keys (created_by);
            COMMENT ON COLUMN api_keys.prefix IS 'the first 12 characters of the key, shown in lists to tell keys apart';
            COMMENT ON COLUMN api_keys.secret_sha256 IS 'SHA-256 of the whole key (did_...); the key itself is never stored';

            CREATE TABLE api_key_addresses (
                key_id         uuid        NOT NULL,
                network        inet        NOT NULL,
                first_used_at  timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT pk_api_key_addresses PRIMARY KEY (key_id, network),
                CONSTRAINT fk_api_key_addresses_key FOREIGN KEY (key_id) REFERENCES api_keys (id) ON DELETE CASCADE
            );

            CREATE FUNCTION did_api_key_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_LEVEL = 'STATEMENT' THEN
                    PERFORM pg_notify('did_api_key', '*');
                ELSE
                    PERFORM pg_notify('did_api_key', OLD.id::text);
                END IF;
                RETURN NULL;
            END $$;

            CREATE TRIGGER tr_api_keys_changed AFTER UPDATE OF id, secret_sha256, role, tenant_id, created_by, expires_at ON api_keys
                FOR EACH ROW EXECUTE FUNCTION did_api_key_notify();
            CREATE TRIGGER tr_api_keys_deleted AFTER DELETE ON api_keys
                FOR EACH ROW EXECUTE FUNCTION did_api_key_notify();
            CREATE TRIGGER tr_api_keys_truncated AFTER TRUNCATE ON api_keys
                FOR EACH STATEMENT EXECUTE FUNCTION did_api_key_notify();

            -- The same rule CreateApiKey applies, kept true when the creator changes.
            CREATE FUNCTION did_api_keys_follow_creator() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM api_keys k
                WHERE k.created_by = NEW.id
                  AND NOT (NEW.role = 'PLATFORM_ADMIN'
                           OR (NEW.role = 'TENANT_ADMIN' AND k.tenant_id = NEW.tenant_id AND k.role IN ('TENANT_ADMIN', 'USER')));
                RETURN NULL;
            END $$;

            CREATE TRIGGER tr_users_api_key_rights AFTER UPDATE OF role, tenant_id ON users
                FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
                EXECUTE FUNCTION did_api_keys_follow_creator();
            """);
    }

    public override void Down() => Execute.Sql("""
        DROP TRIGGER tr_users_api_key_rights ON users;
        DROP FUNCTION did_api_keys_follow_creator();
        DROP TABLE api_key_addresses;
        DROP TABLE api_keys;
        DROP FUNCTION did_api_key_notify();
        """);
}
