using FluentMigrator;

namespace Did.Migrations;

/// <summary>Tenants, users, login throttling and the audit log. Every rule the API enforces is also a constraint here,
/// and every constraint is named so a violation maps to a human message (ConstraintMessages).</summary>
[Migration(2026112501, "Foundation: tenants, users, login throttle, audit log")]
public sealed class M0001_Foundation : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE tenants (
                id          uuid PRIMARY KEY,
                name        varchar(200) NOT NULL,
                slug        varchar(31)  NOT NULL,
                created_at  timestamptz  NOT NULL DEFAULT now(),
                updated_at  timestamptz  NOT NULL DEFAULT now(),
                CONSTRAINT ux_tenants_slug UNIQUE (slug),
                CONSTRAINT ck_tenants_slug CHECK (slug ~ '^[a-z][a-z0-9-]{1,30}$'),
                CONSTRAINT ck_tenants_name CHECK (length(btrim(name)) > 0)
            );

            CREATE TABLE users (
                id              uuid PRIMARY KEY,
                email           varchar(254) NOT NULL,
                display_name    varchar(200) NOT NULL,
                password_hash   text         NOT NULL,
                role            text         NOT NULL,
                tenant_id       uuid         NULL,
                extension       varchar(8)   NULL,
                security_stamp  uuid         NOT NULL,
                created_at      timestamptz  NOT NULL DEFAULT now(),
                updated_at      timestamptz  NOT NULL DEFAULT now(),
                CONSTRAINT fk_users_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE RESTRICT,
                CONSTRAINT ck_users_role CHECK (role IN ('PLATFORM_ADMIN', 'SUPPORT', 'TENANT_ADMIN', 'USER')),
                CONSTRAINT ck_users_role_tenant CHECK (
                    (role IN ('PLATFORM_ADMIN', 'SUPPORT') AND tenant_id IS NULL AND extension IS NULL)
                    OR (role IN ('TENANT_ADMIN', 'USER') AND tenant_id IS NOT NULL)),
                CONSTRAINT ck_users_extension CHECK (extension ~ '^[0-9]{2,8}$'),
                CONSTRAINT ux_users_tenant_extension UNIQUE (tenant_id, extension)
            );
            CREATE UNIQUE INDEX ux_users_email ON users (lower(email));
            CREATE INDEX ix_users_tenant ON users (tenant_id, email);

            -- Keyed by the lower-cased email whether or not such a user exists, so throttling reveals nothing.
            CREATE TABLE login_throttle (
                email         varchar(254) PRIMARY KEY,
                failures      int          NOT NULL,
                locked_until  timestamptz  NULL,
                updated_at    timestamptz  NOT NULL DEFAULT now()
            );

            CREATE TABLE audit_logs (
                id           uuid PRIMARY KEY,
                at           timestamptz NOT NULL DEFAULT now(),
                actor_id     uuid        NULL,
                action       text        NOT NULL,
                entity_type  text        NOT NULL,
                entity_id    uuid        NULL,
                tenant_id    uuid        NULL,
                before       jsonb       NULL,
                after        jsonb       NULL,
                source_ip    text        NULL,
                user_agent   text        NULL,
                request_id   text        NULL
            );
            CREATE INDEX ix_audit_at ON audit_logs (at DESC, id DESC);
            CREATE INDEX ix_audit_tenant_at ON audit_logs (tenant_id, at DESC);
            CREATE INDEX ix_audit_entity ON audit_logs (entity_type, entity_id, at DESC);
            CREATE INDEX ix_audit_actor ON audit_logs (actor_id, at DESC);
            """);
    }

    public override void Down()
    {
        Execute.Sql("DROP TABLE audit_logs; DROP TABLE login_throttle; DROP TABLE users; DROP TABLE tenants;");
    }
}
