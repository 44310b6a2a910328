using FluentMigrator;

namespace Did.Migrations;

/// <summary>Whatever routes to a user (a number's default destination, its failover, a rule, an IVR key, a queue
/// membership) references a user that rings, i.e. has an extension, and the database holds that, not only the handlers'
/// reads: users gain <c>rings</c> (generated: extension IS NOT NULL) with a unique key (id, tenant_id, rings), each
/// referencing table a column <c>user_rings</c> that is always true, and each of the five user foreign keys becomes
/// (user, tenant_id, user_rings) REFERENCES users (id, tenant_id, rings) under its old name, replacing the old key (and
/// the unique key on users (id, tenant_id) that only those keys used). So a route written to a user whose extension is
/// removed meanwhile fails its foreign key, and removing the extension of a user something routes to fails the
/// users UPDATE (23503), whichever commits first; writers check one key per user column, as before. ON DELETE stays
/// NO ACTION on every key (deleting a routed user, or the tenant of one, is refused as before).
///
/// Rows that already break the rule (written by that race before this key) stop the migration with a list of them:
/// fixing each through the API of the running release (give the user an extension, or re-route) and migrating again
/// changes no call, since the renderer already leaves such references out.
///
/// Locks: every ALTER here takes ACCESS EXCLUSIVE on its table, so all five are locked so at once, first: the check
/// then sees the rows the keys will validate, and no lock is upgraded midway (which could deadlock with a writer).
/// users is rewritten for its stored column; it holds people, not numbers, so that is the one rewrite. The referencing
/// tables are not rewritten (a column with a constant default is catalog-only) but scanned, for the CHECK and for each
/// key's validation (one join each), while their readers and writers wait. Building the keys NOT VALID and validating
/// them in later transactions would let those wait less, at the cost of a migration that can stop half done; the scans
/// are sequential reads, so the one transaction is kept.</summary>
[Migration(2026120901, "Routes reference only users that ring, by key")]
public sealed class M0035_RoutedUsersRing : Migration
{
    public override void Up() => Execute.Sql("""
        LOCK TABLE users, did_assignments, did_route_rules, ivr_destinations, queue_members IN ACCESS EXCLUSIVE MODE;
        DO $$
        DECLARE
            found text;
        BEGIN
            SELECT string_agg(what, '; ') INTO found FROM (
                SELECT 'number ' || p.number || ' routes to user ' || u.email AS what
                FROM did_assignments a JOIN users u ON u.id = a.assigned_user_id JOIN phone_numbers p ON p.id = a.phone_number_id
                WHERE u.extension IS NULL
                UNION ALL
                SELECT 'number ' || p.number || ' fails over to user ' || u.email
                FROM did_assignments a JOIN users u ON u.id = a.failover_user_id JOIN phone_numbers p ON p.id = a.phone_number_id
                WHERE u.extension IS NULL
                UNION ALL
                SELECT 'number ' || p.number || ' has a rule (position ' || r.position || ') to user ' || u.email
                FROM did_route_rules r JOIN users u ON u.id = r.dest_user_id JOIN phone_numbers p ON p.id = r.phone_number_id
                WHERE u.extension IS NULL
                UNION ALL
                SELECT 'IVR ' || i.name || ' key ' || d.key || ' sends to user ' || u.email
                FROM ivr_destinations d JOIN users u ON u.id = d.dest_user_id JOIN ivrs i ON i.id = d.ivr_id
                WHERE u.extension IS NULL
                UNION ALL
                SELECT 'queue ' || q.name || ' has member ' || u.email
                FROM queue_members m JOIN users u ON u.id = m.user_id JOIN queues q ON q.id = m.queue_id
                WHERE u.extension IS NULL
                LIMIT 50) offenders;
            IF found IS NOT NULL THEN
                RAISE EXCEPTION 'Routes to users without an extension: %. Give each user an extension or re-route it, '
                    'then migrate again.', found;
            END IF;
        END $$;

        ALTER TABLE users ADD COLUMN rings boolean GENERATED ALWAYS AS (extension IS NOT NULL) STORED,
            ADD CONSTRAINT ux_users_id_tenant_rings UNIQUE (id, tenant_id, rings);

        ALTER TABLE did_assignments ADD COLUMN user_rings boolean NOT NULL DEFAULT true,
            ADD CONSTRAINT ck_did_assignments_user_rings CHECK (user_rings),
            DROP CONSTRAINT fk_did_assignments_user,
            DROP CONSTRAINT fk_did_assignments_failover_user,
            ADD CONSTRAINT fk_did_assignments_user FOREIGN KEY (assigned_user_id, tenant_id, user_rings)
                REFERENCES users (id, tenant_id, rings),
            ADD CONSTRAINT fk_did_assignments_failover_user FOREIGN KEY (failover_user_id, tenant_id, user_rings)
                REFERENCES users (id, tenant_id, rings);

        ALTER TABLE did_route_rules ADD COLUMN user_rings boolean NOT NULL DEFAULT true,
            ADD CONSTRAINT ck_did_route_rules_user_rings CHECK (user_rings),
            DROP CONSTRAINT fk_did_route_rules_user,
            ADD CONSTRAINT fk_did_route_rules_user FOREIGN KEY (dest_user_id, tenant_id, user_rings)
                REFERENCES users (id, tenant_id, rings);

        ALTER TABLE ivr_destinations ADD COLUMN user_rings boolean NOT NULL DEFAULT true,
            ADD CONSTRAINT ck_ivr_destinations_user_rings CHECK (user_rings),
            DROP CONSTRAINT fk_ivr_destinations_user,
            ADD CONSTRAINT fk_ivr_destinations_user FOREIGN KEY (dest_user_id, tenant_id, user_rings)
                REFERENCES users (id, tenant_id, rings);

        ALTER TABLE queue_members ADD COLUMN user_rings boolean NOT NULL DEFAULT true,
            ADD CONSTRAINT ck_queue_members_user_rings CHECK (user_rings),
            DROP CONSTRAINT fk_queue_members_user,
            ADD CONSTRAINT fk_queue_members_user FOREIGN KEY (user_id, tenant_id, user_rings)
                REFERENCES users (id, tenant_id, rings);

        ALTER TABLE users DROP CONSTRAINT ux_users_id_tenant;
        """);

    public override void Down() => Execute.Sql("""
        ALTER TABLE users ADD CONSTRAINT ux_users_id_tenant UNIQUE (id, tenant_id);
        ALTER TABLE queue_members DROP CONSTRAINT fk_queue_members_user, DROP COLUMN user_rings,
            ADD CONSTRAINT fk_queue_members_user FOREIGN KEY (user_id, tenant_id) REFERENCES users (id, tenant_id);
        ALTER TABLE ivr_destinations DROP CONSTRAINT fk_ivr_destinations_user, DROP COLUMN user_rings,
            ADD CONSTRAINT fk_ivr_destinations_user FOREIGN KEY (dest_user_id, tenant_id) REFERENCES users (id, tenant_id);
        ALTER TABLE did_route_rules DROP CONSTRAINT fk_did_route_rules_user, DROP COLUMN user_rings,
            ADD CONSTRAINT fk_did_route_rules_user FOREIGN KEY (dest_user_id, tenant_id) REFERENCES users (id, tenant_id);
        ALTER TABLE did_assignments DROP CONSTRAINT fk_did_assignments_user, DROP CONSTRAINT fk_did_assignments_failover_user,
            DROP COLUMN user_rings,
            ADD CONSTRAINT fk_did_assignments_user FOREIGN KEY (assigned_user_id, tenant_id) REFERENCES users (id, tenant_id),
            ADD CONSTRAINT fk_did_assignments_failover_user FOREIGN KEY (failover_user_id, tenant_id) REFERENCES users (id, tenant_id);
        ALTER TABLE users DROP CONSTRAINT ux_users_id_tenant_rings, DROP COLUMN rings;
        """);
}
