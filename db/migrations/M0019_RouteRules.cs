using FluentMigrator;

namespace Did.Migrations;

/// <summary>A number's route gains a ring time, a failover and rules, and a queue a caller wait limit. The failover is
/// columns of the route, shaped like its default destination (type + id or value, typed generated columns carrying
/// composite foreign keys to the route's tenant). Rules are rows of the route, in order (position 0..19), deleted with
/// it; each names one destination the same way, at most one caller condition, at most one schedule condition (a
/// schedule of the route's tenant with OPEN, CLOSED or HOLIDAY), and at least one condition. The schedule's foreign key
/// keeps a schedule that rules use from being deleted.</summary>
[Migration(2026120703, "Route rules, failover and ring time; queue caller wait limit")]
public sealed class M0019_RouteRules : Migration
{
    public override void Up() => Execute.Sql("""
        ALTER TABLE queues ADD COLUMN max_wait_seconds int NULL,
            ADD CONSTRAINT ck_queues_max_wait_seconds CHECK (max_wait_seconds BETWEEN 1 AND 86400);

        ALTER TABLE did_assignments
            ADD COLUMN ring_seconds   int          NULL,
            ADD COLUMN failover_type  text         NULL,
            ADD COLUMN failover_id    uuid         NULL,
            ADD COLUMN failover_value varchar(255) NULL,
            ADD COLUMN failover_user_id  uuid GENERATED ALWAYS AS (CASE WHEN failover_type = 'USER' THEN failover_id END) STORED,
            ADD COLUMN failover_ivr_id   uuid GENERATED ALWAYS AS (CASE WHEN failover_type = 'IVR' THEN failover_id END) STORED,
            ADD COLUMN failover_queue_id uuid GENERATED ALWAYS AS (CASE WHEN failover_type = 'QUEUE' THEN failover_id END) STORED,
            ADD CONSTRAINT ck_did_assignments_ring_seconds CHECK (ring_seconds BETWEEN 5 AND 600),
            ADD CONSTRAINT ck_did_assignments_failover CHECK (
                (failover_type IS NULL AND failover_id IS NULL AND failover_value IS NULL)
             OR (failover_type = 'EXTERNAL' AND failover_value IS NOT NULL AND failover_id IS NULL)
             OR (failover_type IN ('USER', 'IVR', 'QUEUE') AND failover_id IS NOT NULL AND failover_value IS NULL)),
            ADD CONSTRAINT fk_did_assignments_failover_user FOREIGN KEY (failover_user_id, tenant_id) REFERENCES users (id, tenant_id),
            ADD CONSTRAINT fk_did_assignments_failover_ivr FOREIGN KEY (failover_ivr_id, tenant_id) REFERENCES ivrs (id, tenant_id),
            ADD CONSTRAINT fk_did_assignments_failover_queue FOREIGN KEY (failover_queue_id, tenant_id) REFERENCES queues (id, tenant_id),
            ADD CONSTRAINT ux_did_assignments_number_tenant UNIQUE (phone_number_id, tenant_id);
        CREATE INDEX ix_did_assignments_failover_user ON did_assignments (failover_user_id) WHERE failover_user_id IS NOT NULL;
        CREATE INDEX ix_did_assignments_failover_ivr ON did_assignments (failover_ivr_id) WHERE failover_ivr_id IS NOT NULL;
        CREATE INDEX ix_did_assignments_failover_queue ON did_assignments (failover_queue_id) WHERE failover_queue_id IS NOT NULL;

        CREATE TABLE did_route_rules (
            phone_number_id   uuid         NOT NULL,
            tenant_id         uuid         NOT NULL,
            position          smallint     NOT NULL,
            caller_id_prefix  varchar(16)  NULL,
            caller_withheld   boolean      NOT NULL DEFAULT false,
            schedule_id       uuid         NULL,
            schedule_when     text         NULL,
            dest_type         text         NOT NULL,
            dest_id           uuid         NULL,
            dest_value        varchar(255) NULL,
            dest_user_id  uuid GENERATED ALWAYS AS (CASE WHEN dest_type = 'USER' THEN dest_id END) STORED,
            dest_ivr_id   uuid GENERATED ALWAYS AS (CASE WHEN dest_type = 'IVR' THEN dest_id END) STORED,
            dest_queue_id uuid GENERATED ALWAYS AS (CASE WHEN dest_type = 'QUEUE' THEN dest_id END) STORED,
            PRIMARY KEY (phone_number_id, position),
            CONSTRAINT fk_did_route_rules_route FOREIGN KEY (phone_number_id, tenant_id)
                REFERENCES did_assignments (phone_number_id, tenant_id) ON DELETE CASCADE,
            CONSTRAINT fk_did_route_rules_schedule FOREIGN KEY (schedule_id, tenant_id) REFERENCES schedules (id, tenant_id),
            CONSTRAINT fk_did_route_rules_user FOREIGN KEY (dest_user_id, tenant_id) REFERENCES users (id, tenant_id),
            CONSTRAINT fk_did_route_rules_ivr FOREIGN KEY (dest_ivr_id, tenant_id) REFERENCES ivrs (id, tenant_id),
            CONSTRAINT fk_did_route_rules_queue FOREIGN KEY (dest_queue_id, tenant_id) REFERENCES queues (id, tenant_id),
            CONSTRAINT ck_did_route_rules_position CHECK (position BETWEEN 0 AND 19),
            CONSTRAINT ck_did_route_rules_caller_id_prefix CHECK (caller_id_prefix ~ '^\+[0-9]{1,15}$'),
            CONSTRAINT ck_did_route_rules_one_caller_condition CHECK (NOT (caller_id_prefix IS NOT NULL AND caller_withheld)),
            CONSTRAINT ck_did_route_rules_schedule CHECK (
                (schedule_id IS NULL AND schedule_when IS NULL)
             OR (schedule_id IS NOT NULL AND schedule_when IS NOT NULL AND schedule_when IN ('OPEN', 'CLOSED', 'HOLIDAY'))),
            CONSTRAINT ck_did_route_rules_condition CHECK (caller_id_prefix IS NOT NULL OR caller_withheld OR schedule_id IS NOT NULL),
            CONSTRAINT ck_did_route_rules_destination CHECK (
                (dest_type = 'EXTERNAL' AND dest_value IS NOT NULL AND dest_id IS NULL)
             OR (dest_type IN ('USER', 'IVR', 'QUEUE') AND dest_id IS NOT NULL AND dest_value IS NULL))
        );
        CREATE INDEX ix_did_route_rules_schedule ON did_route_rules (schedule_id) WHERE schedule_id IS NOT NULL;
        CREATE INDEX ix_did_route_rules_user ON did_route_rules (dest_user_id) WHERE dest_user_id IS NOT NULL;
        CREATE INDEX ix_did_route_rules_ivr ON did_route_rules (dest_ivr_id) WHERE dest_ivr_id IS NOT NULL;
        CREATE INDEX ix_did_route_rules_queue ON did_route_rules (dest_queue_id) WHERE dest_queue_id IS NOT NULL;
        """);

    public override void Down() => Execute.Sql("""
        DROP TABLE did_route_rules;
        DROP INDEX ix_did_assignments_failover_queue; DROP INDEX ix_did_assignments_failover_ivr; DROP INDEX ix_did_assignments_failover_user;
        ALTER TABLE did_assignments
            DROP CONSTRAINT ux_did_assignments_number_tenant,
            DROP COLUMN failover_queue_id, DROP COLUMN failover_ivr_id, DROP COLUMN failover_user_id,
            DROP COLUMN failover_value, DROP COLUMN failover_id, DROP COLUMN failover_type, DROP COLUMN ring_seconds;
        ALTER TABLE queues DROP COLUMN max_wait_seconds;
        """);
}
