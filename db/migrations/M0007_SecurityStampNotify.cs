using FluentMigrator;

namespace Did.Migrations;

/// <summary>Tells every running service when a user's security stamp stops being valid (rotated, or the user deleted),
/// so each can keep stamps in memory instead of reading one per request. NOTIFY is delivered at commit, to every
/// listening connection, whatever wrote the row; a TRUNCATE says "*" (forget everyone).</summary>
[Migration(2026112507, "security stamp notifications")]
public sealed class M0007_SecurityStampNotify : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE FUNCTION did_security_stamp_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_LEVEL = 'STATEMENT' THEN
                    PERFORM pg_notify('did_security_stamp', '*');
                ELSE
                    PERFORM pg_notify('did_security_stamp', OLD.id::text);
                END IF;
                RETURN NULL;
            END $$;

            CREATE TRIGGER tr_users_stamp_rotated AFTER UPDATE OF security_stamp, id ON users
                FOR EACH ROW WHEN (OLD.security_stamp IS DISTINCT FROM NEW.security_stamp OR OLD.id IS DISTINCT FROM NEW.id)
                EXECUTE FUNCTION did_security_stamp_notify();
            CREATE TRIGGER tr_users_deleted AFTER DELETE ON users
                FOR EACH ROW EXECUTE FUNCTION did_security_stamp_notify();
            CREATE TRIGGER tr_users_truncated AFTER TRUNCATE ON users
                FOR EACH STATEMENT EXECUTE FUNCTION did_security_stamp_notify();
            """);
    }

    public override void Down() => Execute.Sql("""
        DROP TRIGGER tr_users_truncated ON users;
        DROP TRIGGER tr_users_deleted ON users;
        DROP TRIGGER tr_users_stamp_rotated ON users;
        DROP FUNCTION did_security_stamp_notify();
        """);
}
