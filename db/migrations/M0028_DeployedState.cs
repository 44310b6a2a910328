using FluentMigrator;

namespace Did.Migrations;

/// <summary>What each tenant has live, so a tenant's apply can leave every other tenant as it was last deployed; which
/// tenants a job deployed from the database (null: all) and whose requests it carried; and the last apply of each
/// tenant admin's tenant, for the per-tenant apply interval.</summary>
[Migration(2026120712, "deployed state per tenant, scoped and merged applies")]
public sealed class M0028_DeployedState : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            ALTER TABLE apply_jobs
                ADD COLUMN tenant_ids uuid[] NULL,
                ADD COLUMN callers uuid[] NOT NULL DEFAULT '{}';

            -- One row: the job whose success last recorded what is deployed, and the sha256 of its extensions file.
            -- No row: nothing has been recorded yet (a platform apply records it).
            CREATE TABLE deployed_dialplan (
                singleton       boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
                job_id          uuid        NOT NULL REFERENCES apply_jobs (id),
                deployed_at     timestamptz NOT NULL DEFAULT now(),
                content_sha256  text        NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$')
            );

            -- A tenant's part of the deployed snapshot: its users, IVRs, queues, schedules and routed numbers. No foreign
            -- key to tenants: a deleted tenant stays live until a platform apply removes it.
            CREATE TABLE deployed_tenants (
                tenant_id       uuid        PRIMARY KEY,
                job_id          uuid        NOT NULL REFERENCES apply_jobs (id),
                deployed_at     timestamptz NOT NULL DEFAULT now(),
                part_sha256     text        NOT NULL CHECK (part_sha256 ~ '^[0-9a-f]{64}$'),
                part            jsonb       NOT NULL
            );

            CREATE TABLE apply_tenant_intervals (
                tenant_id        uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
                last_requested_at timestamptz NOT NULL
            );
            """);
    }

    public override void Down() => Execute.Sql("""
        DROP TABLE apply_tenant_intervals;
        DROP TABLE deployed_tenants;
        DROP TABLE deployed_dialplan;
        ALTER TABLE apply_jobs DROP COLUMN callers, DROP COLUMN tenant_ids;
        """);
}
