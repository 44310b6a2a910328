using FluentMigrator;

namespace Did.Migrations;

/// <summary>A number's metadata is at most 16,384 bytes as jsonb writes it (ImportDids.MaxMetadataBytes): the export
/// writes it as one CSV cell, and the import reads rows of at most 64 KiB, so an export always imports back. A trigger
/// rather than a CHECK: a CHECK holds every later update of a row to it, so a number stored larger before this (imports
/// had no limit) could no longer be allocated or taken back; the trigger holds only the writes of the metadata itself,
/// and its condition is evaluated without calling the function unless it fails.</summary>
[Migration(2026121500, "Phone numbers: metadata at most 16,384 bytes as stored, so an export imports back")]
public sealed class M0039_MetadataSize : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE FUNCTION phone_numbers_metadata_size() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the metadata of number % is % bytes as stored: at most 16384', NEW.number, octet_length(NEW.provider_metadata::text)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_phone_numbers_metadata_size';
        END $$;
        CREATE TRIGGER tr_phone_numbers_metadata_size BEFORE INSERT OR UPDATE OF provider_metadata ON phone_numbers
            FOR EACH ROW WHEN (octet_length(NEW.provider_metadata::text) > 16384)
            EXECUTE FUNCTION phone_numbers_metadata_size();
        """);

    public override void Down() => Execute.Sql("""
        DROP TRIGGER tr_phone_numbers_metadata_size ON phone_numbers;
        DROP FUNCTION phone_numbers_metadata_size();
        """);
}
