using FluentMigrator;

namespace Did.Migrations;

/// <summary>Stored emails become composed (NFC), the one spelling the service now writes and signs in with
/// (EmailAddress.Canonical): an account created with a decomposed accent could not otherwise sign in any more. An
/// address whose composed form another account already holds (two accounts that look alike, made before emails were
/// composed) is left as it is, since the unique index on lower(email) would refuse it; a platform admin renames one of
/// the pair. A data fix, not a change anyone made through the API, so it writes no audit row.</summary>
[Migration(2026121630, "users: emails stored composed (NFC)")]
public sealed class M0043_ComposedEmails : Migration
{
    public override void Up() => Execute.Sql("""
        UPDATE users u SET email = normalize(u.email, NFC)
        WHERE u.email IS NOT NFC NORMALIZED
          AND NOT EXISTS (
              SELECT 1 FROM users o
              WHERE o.id <> u.id
                AND lower(normalize(o.email, NFC)) = lower(normalize(u.email, NFC))
                AND (o.email IS NFC NORMALIZED OR o.id < u.id));
        """);

    // Which spelling each address had is gone; the composed one serves as well.
    public override void Down() { }
}
