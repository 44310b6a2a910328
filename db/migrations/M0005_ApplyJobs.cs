using FluentMigrator;

namespace Did.Migrations;

/// <summary>Apply jobs: what each apply did, step by step, and where it left the live files (backups), so a process
/// that dies mid-apply can be recovered at the next start.</summary>
[Migration(2026112505, "Apply jobs")]
public sealed class M0005_ApplyJobs : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE apply_jobs (
                id              uuid        PRIMARY KEY,
                status          text        NOT NULL,
                requested_by    uuid        NULL,
                started_at      timestamptz NOT NULL DEFAULT now(),
                finished_at     timestamptz NULL,
                numbers_routed  int         NULL,
                content_sha256  text        NULL,
                diff_stats      jsonb       NULL,
                steps           jsonb       NOT NULL DEFAULT '[]',
                backups         jsonb       NOT NULL DEFAULT '[]',
                error           text        NULL,
                CONSTRAINT ck_apply_jobs_status CHECK (status IN ('RUNNING', 'SUCCEEDED', 'NO_CHANGES', 'ROLLED_BACK', 'FAILED')),
                CONSTRAINT ck_apply_jobs_finished CHECK ((status = 'RUNNING') = (finished_at IS NULL))
            );
            CREATE INDEX ix_apply_jobs_started ON apply_jobs (started_at DESC, id DESC);
            CREATE UNIQUE INDEX ux_apply_jobs_one_running ON apply_jobs ((true)) WHERE status = 'RUNNING';

            -- tenant-acme-ivr-main is tenant acme's IVR "main": a tenant slugged "acme-ivr-main" would collide with it.
            ALTER TABLE tenants ADD CONSTRAINT ck_tenants_slug_reserved CHECK (slug !~ '-(ivr|queue)(-|$)');
            """);
    }

    public override void Down() => Execute.Sql("DROP TABLE apply_jobs; ALTER TABLE tenants DROP CONSTRAINT ck_tenants_slug_reserved;");
}
