using FluentMigrator;

namespace Did.Migrations;

/// <summary>Drift checks: whether each node still runs what the last successful apply deployed. One RUNNING at a time
/// (the unique index), like apply jobs; the advisory lock taken around a check frees a row a stopped process left.</summary>
[Migration(2026120713, "drift checks")]
public sealed class M0029_DriftChecks : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE drift_checks (
                id              uuid        PRIMARY KEY,
                status          text        NOT NULL,
                requested_by    uuid        NULL,
                started_at      timestamptz NOT NULL DEFAULT now(),
                finished_at     timestamptz NULL,
                deployed_job_id uuid        NULL REFERENCES apply_jobs (id),
                nodes           jsonb       NOT NULL DEFAULT '[]',
                error           text        NULL,
                CONSTRAINT ck_drift_checks_status CHECK (status IN ('RUNNING', 'IN_SYNC', 'DRIFTED', 'INCONCLUSIVE', 'FAILED')),
                CONSTRAINT ck_drift_checks_finished CHECK ((status = 'RUNNING') = (finished_at IS NULL))
            );
            CREATE INDEX ix_drift_checks_started ON drift_checks (started_at DESC, id DESC);
            CREATE UNIQUE INDEX ux_drift_checks_one_running ON drift_checks ((true)) WHERE status = 'RUNNING';
            """);
    }

    public override void Down() => Execute.Sql("DROP TABLE drift_checks;");
}
