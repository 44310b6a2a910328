using FluentMigrator;

namespace Did.Migrations;

/// <summary>One row per tenant, written again by every statement that adds or removes a user of the tenant or changes a
/// user's tenant or extension (what the dialplan reads of a user). The apply's snapshot tells which tenants changed by
/// the transactions that wrote each tenant's rows (their <c>xmin</c>); for users it reads this row instead of every
/// user's, because a platform has far more users than routes, and a user's name, email, password or sign-ins never
/// change a dialplan. Statement triggers, so a bulk write of users writes each tenant's row once.</summary>
[Migration(2026121400, "A row per tenant that moves whenever a user the dialplan reads changes")]
public sealed class M0038_TenantUserWrites : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE TABLE tenant_user_writes (
            tenant_id uuid   PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
            writes    bigint NOT NULL
        );
        INSERT INTO tenant_user_writes (tenant_id, writes)
        SELECT DISTINCT tenant_id, 1 FROM users WHERE tenant_id IS NOT NULL;

        CREATE FUNCTION tenant_user_writes_count() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO tenant_user_writes AS w (tenant_id, writes)
                SELECT DISTINCT tenant_id, 1 FROM added_users WHERE tenant_id IS NOT NULL
                ON CONFLICT (tenant_id) DO UPDATE SET writes = w.writes + 1;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO tenant_user_writes AS w (tenant_id, writes)
                SELECT DISTINCT tenant_id, 1 FROM removed_users WHERE tenant_id IS NOT NULL
                ON CONFLICT (tenant_id) DO UPDATE SET writes = w.writes + 1;
            ELSE
                INSERT INTO tenant_user_writes AS w (tenant_id, writes)
                SELECT DISTINCT t.tenant_id, 1
                FROM old_users o JOIN new_users n USING (id)
                CROSS JOIN LATERAL (VALUES (o.tenant_id), (n.tenant_id)) AS t(tenant_id)
                WHERE (o.tenant_id IS DISTINCT FROM n.tenant_id OR o.extension IS DISTINCT FROM n.extension)
                  AND t.tenant_id IS NOT NULL
                ON CONFLICT (tenant_id) DO UPDATE SET writes = w.writes + 1;
            END IF;
            RETURN NULL;
        END $$;

        CREATE TRIGGER tr_users_tenant_writes_added AFTER INSERT ON users
            REFERENCING NEW TABLE AS added_users FOR EACH STATEMENT EXECUTE FUNCTION tenant_user_writes_count();
        CREATE TRIGGER tr_users_tenant_writes_removed AFTER DELETE ON users
            REFERENCING OLD TABLE AS removed_users FOR EACH STATEMENT EXECUTE FUNCTION tenant_user_writes_count();
        CREATE TRIGGER tr_users_tenant_writes_changed AFTER UPDATE ON users
            REFERENCING OLD TABLE AS old_users NEW TABLE AS new_users FOR EACH STATEMENT EXECUTE FUNCTION tenant_user_writes_count();
        """);

    public override void Down() => Execute.Sql("""
        DROP TRIGGER tr_users_tenant_writes_changed ON users;
        DROP TRIGGER tr_users_tenant_writes_removed ON users;
        DROP TRIGGER tr_users_tenant_writes_added ON users;
        DROP FUNCTION tenant_user_writes_count();
        DROP TABLE tenant_user_writes;
        """);
}
