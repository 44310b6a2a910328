using FluentMigrator;

namespace Did.Migrations;

/// <summary>Schedules: opening hours and closed dates in one IANA time zone, owned by a tenant like IVRs and queues.
/// Intervals and closed dates are rows of their schedule, carrying its tenant, and go with it (ON DELETE CASCADE).
/// Their position is their order in the API and bounds how many a schedule has (50 intervals, 200 closed dates).
/// Days are a bit set, Monday = 1 to Sunday = 64; minutes count from local midnight, and 1440 is 24:00.</summary>
[Migration(2026120702, "Schedules: opening hours and closed dates")]
public sealed class M0018_Schedules : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE TABLE schedules (
            id          uuid        PRIMARY KEY,
            tenant_id   uuid        NOT NULL,
            name        varchar(40) NOT NULL,
            timezone    varchar(64) NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now(),
            updated_at  timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT fk_schedules_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE RESTRICT,
            CONSTRAINT ux_schedules_tenant_name UNIQUE (tenant_id, name),
            CONSTRAINT ux_schedules_id_tenant UNIQUE (id, tenant_id),
            CONSTRAINT ck_schedules_name CHECK (name ~ '^[a-z0-9-]{1,40}$'),
            CONSTRAINT ck_schedules_timezone CHECK (timezone ~ '^[A-Za-z0-9/_+-]{1,64}$')
        );

        CREATE TABLE schedule_open_intervals (
            schedule_id  uuid     NOT NULL,
            tenant_id    uuid     NOT NULL,
            position     smallint NOT NULL,
            days         smallint NOT NULL,
            from_minute  smallint NOT NULL,
            to_minute    smallint NOT NULL,
            PRIMARY KEY (schedule_id, position),
            CONSTRAINT fk_schedule_open_intervals_schedule FOREIGN KEY (schedule_id, tenant_id)
                REFERENCES schedules (id, tenant_id) ON DELETE CASCADE,
            CONSTRAINT ck_schedule_open_intervals_position CHECK (position BETWEEN 0 AND 49),
            CONSTRAINT ck_schedule_open_intervals_days CHECK (days BETWEEN 1 AND 127),
            CONSTRAINT ck_schedule_open_intervals_from CHECK (from_minute BETWEEN 0 AND 1439),
            CONSTRAINT ck_schedule_open_intervals_to CHECK (to_minute BETWEEN 1 AND 1440 AND to_minute <> from_minute)
        );

        CREATE TABLE schedule_closed_dates (
            schedule_id  uuid        NOT NULL,
            tenant_id    uuid        NOT NULL,
            position     smallint    NOT NULL,
            from_date    date        NOT NULL,
            to_date      date        NOT NULL,
            name         varchar(64) NOT NULL,
            PRIMARY KEY (schedule_id, position),
            CONSTRAINT fk_schedule_closed_dates_schedule FOREIGN KEY (schedule_id, tenant_id)
                REFERENCES schedules (id, tenant_id) ON DELETE CASCADE,
            CONSTRAINT ck_schedule_closed_dates_position CHECK (position BETWEEN 0 AND 199),
            CONSTRAINT ck_schedule_closed_dates_range CHECK (
                from_date <= to_date AND to_date - from_date <= 366
                AND from_date >= DATE '2000-01-01' AND to_date <= DATE '2199-12-31'),
            CONSTRAINT ck_schedule_closed_dates_name CHECK (char_length(name) BETWEEN 1 AND 64 AND name !~ '[[:cntrl:]]')
        );
        """);

    public override void Down() => Execute.Sql("""
        DROP TABLE schedule_closed_dates; DROP TABLE schedule_open_intervals; DROP TABLE schedules;
        """);
}
