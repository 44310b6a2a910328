using FluentMigrator;

namespace Did.Migrations;

/// <summary>A queue's timeout_seconds was always the time each member rings (queues.conf 'timeout'), never how long a
/// caller waits: the column now says so.</summary>
[Migration(2026120605, "Queue member ring time")]
public sealed class M0012_QueueMemberRing : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            ALTER TABLE queues RENAME COLUMN timeout_seconds TO member_ring_seconds;
            ALTER TABLE queues RENAME CONSTRAINT ck_queues_timeout TO ck_queues_member_ring_seconds;
            """);
    }

    public override void Down()
    {
        Execute.Sql("""
            ALTER TABLE queues RENAME CONSTRAINT ck_queues_member_ring_seconds TO ck_queues_timeout;
            ALTER TABLE queues RENAME COLUMN member_ring_seconds TO timeout_seconds;
            """);
    }
}
