using FluentMigrator;

namespace Did.Migrations;

/// <summary>Destinations (IVRs, queues) and assignments. Every reference carries the tenant and points at
/// (id, tenant_id) of its target, so the database itself refuses a route, an IVR option or a queue member that
/// crosses tenants, and refuses to delete anything a route still points to.</summary>
[Migration(2026112504, "Routing: IVRs, queues, DID assignments")]
public sealed class M0004_Routing : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            ALTER TABLE users ADD CONSTRAINT ux_users_id_tenant UNIQUE (id, tenant_id);
            ALTER TABLE phone_numbers ADD CONSTRAINT ux_phone_numbers_id_tenant UNIQUE (id, tenant_id);

            CREATE TABLE ivrs (
                id               uuid         PRIMARY KEY,
                tenant_id        uuid         NOT NULL,
                name             varchar(40)  NOT NULL,
                greeting         varchar(128) NOT NULL,
                timeout_seconds  int          NOT NULL,
                created_at       timestamptz  NOT NULL DEFAULT now(),
                updated_at       timestamptz  NOT NULL DEFAULT now(),
                CONSTRAINT fk_ivrs_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE RESTRICT,
                CONSTRAINT ux_ivrs_tenant_name UNIQUE (tenant_id, name),
                CONSTRAINT ux_ivrs_id_tenant UNIQUE (id, tenant_id),
                CONSTRAINT ck_ivrs_name CHECK (name ~ '^[a-z0-9-]{1,40}$'),
                CONSTRAINT ck_ivrs_greeting CHECK (greeting ~ '^[A-Za-z0-9_/-]{1,128}$'),
                CONSTRAINT ck_ivrs_timeout CHECK (timeout_seconds BETWEEN 1 AND 60)
            );

            CREATE TABLE queues (
                id               uuid         PRIMARY KEY,
                tenant_id        uuid         NOT NULL,
                name             varchar(40)  NOT NULL,
                strategy         text         NOT NULL,
                timeout_seconds  int          NOT NULL,
                created_at       timestamptz  NOT NULL DEFAULT now(),
                updated_at       timestamptz  NOT NULL DEFAULT now(),
                CONSTRAINT fk_queues_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE RESTRICT,
                CONSTRAINT ux_queues_tenant_name UNIQUE (tenant_id, name),
                CONSTRAINT ux_queues_id_tenant UNIQUE (id, tenant_id),
                CONSTRAINT ck_queues_name CHECK (name ~ '^[a-z0-9-]{1,40}$'),
                CONSTRAINT ck_queues_strategy CHECK (strategy IN ('RINGALL', 'LEASTRECENT', 'FEWESTCALLS', 'RANDOM', 'RRMEMORY', 'LINEAR')),
                CONSTRAINT ck_queues_timeout CHECK (timeout_seconds BETWEEN 1 AND 600)
            );

            CREATE TABLE queue_members (
                queue_id   uuid NOT NULL,
                tenant_id  uuid NOT NULL,
                user_id    uuid NOT NULL,
                position   int  NOT NULL,
                PRIMARY KEY (queue_id, user_id),
                CONSTRAINT fk_queue_members_queue FOREIGN KEY (queue_id, tenant_id) REFERENCES queues (id, tenant_id) ON DELETE CASCADE,
                CONSTRAINT fk_queue_members_user FOREIGN KEY (user_id, tenant_id) REFERENCES users (id, tenant_id)
            );
            CREATE INDEX ix_queue_members_user ON queue_members (user_id);

            -- One row per IVR key: the digits 0-9 * # are menu options, 't' is the timeout and 'i' the invalid-key destination.
            CREATE TABLE ivr_destinations (
                ivr_id          uuid NOT NULL,
                tenant_id       uuid NOT NULL,
                key             varchar(1) NOT NULL,
                dest_type       text NOT NULL,
                dest_user_id    uuid NULL,
                dest_ivr_id     uuid NULL,
                dest_queue_id   uuid NULL,
                PRIMARY KEY (ivr_id, key),
                CONSTRAINT ck_ivr_destinations_key CHECK (key ~ '^[0-9*#ti]$'),
                CONSTRAINT ck_ivr_destinations_type CHECK (
                    (dest_type = 'USER' AND dest_user_id IS NOT NULL AND dest_ivr_id IS NULL AND dest_queue_id IS NULL)
                 OR (dest_type = 'IVR' AND dest_ivr_id IS NOT NULL AND dest_user_id IS NULL AND dest_queue_id IS NULL)
                 OR (dest_type = 'QUEUE' AND dest_queue_id IS NOT NULL AND dest_user_id IS NULL AND dest_ivr_id IS NULL)
                 OR (dest_type = 'HANGUP' AND dest_user_id IS NULL AND dest_ivr_id IS NULL AND dest_queue_id IS NULL)),
                CONSTRAINT fk_ivr_destinations_ivr FOREIGN KEY (ivr_id, tenant_id) REFERENCES ivrs (id, tenant_id) ON DELETE CASCADE,
                CONSTRAINT fk_ivr_destinations_user FOREIGN KEY (dest_user_id, tenant_id) REFERENCES users (id, tenant_id),
                CONSTRAINT fk_ivr_destinations_target_ivr FOREIGN KEY (dest_ivr_id, tenant_id) REFERENCES ivrs (id, tenant_id),
                CONSTRAINT fk_ivr_destinations_queue FOREIGN KEY (dest_queue_id, tenant_id) REFERENCES queues (id, tenant_id)
            );
            CREATE INDEX ix_ivr_destinations_user ON ivr_destinations (dest_user_id) WHERE dest_user_id IS NOT NULL;
            CREATE INDEX ix_ivr_destinations_ivr ON ivr_destinations (dest_ivr_id) WHERE dest_ivr_id IS NOT NULL;
            CREATE INDEX ix_ivr_destinations_queue ON ivr_destinations (dest_queue_id) WHERE dest_queue_id IS NOT NULL;

            -- As in the plan: assigned_id for USER/IVR/QUEUE xor assigned_value for EXTERNAL. The typed generated columns
            -- exist only to carry real foreign keys (same tenant, and no deleting what a number routes to).
            CREATE TABLE did_assignments (
                id               uuid        PRIMARY KEY,
                phone_number_id  uuid        NOT NULL,
                tenant_id        uuid        NOT NULL,
                assigned_type    text        NOT NULL,
                assigned_id      uuid        NULL,
                assigned_value   varchar(255) NULL,
                created_by       uuid        NULL,
                created_at       timestamptz NOT NULL DEFAULT now(),
                updated_at       timestamptz NOT NULL DEFAULT now(),
                assigned_user_id  uuid GENERATED ALWAYS AS (CASE WHEN assigned_type = 'USER' THEN assigned_id END) STORED,
                assigned_ivr_id   uuid GENERATED ALWAYS AS (CASE WHEN assigned_type = 'IVR' THEN assigned_id END) STORED,
                assigned_queue_id uuid GENERATED ALWAYS AS (CASE WHEN assigned_type = 'QUEUE' THEN assigned_id END) STORED,
                CONSTRAINT ux_did_assignments_number UNIQUE (phone_number_id),
                CONSTRAINT ck_did_assignments_type CHECK (assigned_type IN ('USER', 'IVR', 'QUEUE', 'EXTERNAL')),
                CONSTRAINT ck_did_assignments_target CHECK (
                    (assigned_type = 'EXTERNAL' AND assigned_value IS NOT NULL AND assigned_id IS NULL)
                 OR (assigned_type <> 'EXTERNAL' AND assigned_id IS NOT NULL AND assigned_value IS NULL)),
                CONSTRAINT fk_did_assignments_number FOREIGN KEY (phone_number_id, tenant_id) REFERENCES phone_numbers (id, tenant_id),
                CONSTRAINT fk_did_assignments_user FOREIGN KEY (assigned_user_id, tenant_id) REFERENCES users (id, tenant_id),
                CONSTRAINT fk_did_assignments_ivr FOREIGN KEY (assigned_ivr_id, tenant_id) REFERENCES ivrs (id, tenant_id),
                CONSTRAINT fk_did_assignments_queue FOREIGN KEY (assigned_queue_id, tenant_id) REFERENCES queues (id, tenant_id)
            );
            CREATE INDEX ix_did_assignments_tenant ON did_assignments (tenant_id, assigned_type);
            CREATE INDEX ix_did_assignments_user ON did_assignments (assigned_user_id) WHERE assigned_user_id IS NOT NULL;
            CREATE INDEX ix_did_assignments_ivr ON did_assignments (assigned_ivr_id) WHERE assigned_ivr_id IS NOT NULL;
            CREATE INDEX ix_did_assignments_queue ON did_assignments (assigned_queue_id) WHERE assigned_queue_id IS NOT NULL;
            """);
    }

    public override void Down() =>
        Execute.Sql("""
            DROP TABLE did_assignments; DROP TABLE ivr_destinations; DROP TABLE queue_members; DROP TABLE queues; DROP TABLE ivrs;
            ALTER TABLE phone_numbers DROP CONSTRAINT ux_phone_numbers_id_tenant;
            ALTER TABLE users DROP CONSTRAINT ux_users_id_tenant;
            """);
}
