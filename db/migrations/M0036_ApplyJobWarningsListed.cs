using FluentMigrator;

namespace Did.Migrations;

/// <summary>An apply job keeps the first 1,000 warnings of its render and counts them all, whole and per tenant: stale
/// data behind 100,000 numbers gives a warning per number, which a job row and its answers must not carry whole. Jobs
/// from before are cut the same way, their counts taken from what they kept.</summary>
[Migration(2026121100, "Apply jobs keep the first 1,000 warnings and count them all")]
public sealed class M0036_ApplyJobWarningsListed : Migration
{
    public override void Up() => Execute.Sql("""
        ALTER TABLE apply_jobs
            ADD COLUMN warnings_total integer NOT NULL DEFAULT 0,
            ADD COLUMN warnings_by_tenant jsonb NOT NULL DEFAULT '{}';
        UPDATE apply_jobs SET
            warnings_total = jsonb_array_length(warnings),
            warnings_by_tenant = coalesce((
                SELECT jsonb_object_agg(tenant_id, n)
                FROM (SELECT w->>'tenant_id' AS tenant_id, count(*) AS n FROM jsonb_array_elements(warnings) w
                      WHERE w->>'tenant_id' IS NOT NULL GROUP BY 1) c), '{}'),
            warnings = (SELECT coalesce(jsonb_agg(w ORDER BY i), '[]') FROM jsonb_array_elements(warnings) WITH ORDINALITY e(w, i) WHERE i <= 1000)
        WHERE warnings <> '[]';
        ALTER TABLE apply_jobs ADD CONSTRAINT ck_apply_jobs_warnings_listed
            CHECK (jsonb_array_length(warnings) <= 1000 AND warnings_total >= jsonb_array_length(warnings));
        """);

    public override void Down() => Execute.Sql("""
        ALTER TABLE apply_jobs DROP CONSTRAINT ck_apply_jobs_warnings_listed;
        ALTER TABLE apply_jobs DROP COLUMN warnings_by_tenant, DROP COLUMN warnings_total;
        """);
}
