using FluentMigrator;

namespace Did.Migrations;

/// <summary>The DID inventory. The status/tenant rule and the E.164 shape are CHECKs, so no code path can store a
/// number the API would refuse. Trigram index for substring search on the number.</summary>
[Migration(2026112502, "Phone numbers (DID inventory)")]
public sealed class M0002_PhoneNumbers : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE EXTENSION IF NOT EXISTS pg_trgm;

            CREATE TABLE phone_numbers (
                id                 uuid         PRIMARY KEY,
                number             varchar(16)  NOT NULL,
                status             text         NOT NULL DEFAULT 'UNASSIGNED',
                tenant_id          uuid         NULL,
                provider           varchar(255) NULL,
                provider_metadata  jsonb        NOT NULL DEFAULT '{}',
                created_at         timestamptz  NOT NULL DEFAULT now(),
                updated_at         timestamptz  NOT NULL DEFAULT now(),
                CONSTRAINT ux_phone_numbers_number UNIQUE (number),
                CONSTRAINT ck_phone_numbers_e164 CHECK (number ~ '^\+[1-9][0-9]{1,14}$'),
                CONSTRAINT ck_phone_numbers_status CHECK (status IN ('UNASSIGNED', 'ALLOCATED', 'ASSIGNED')),
                CONSTRAINT ck_phone_numbers_status_tenant CHECK (
                    (status = 'UNASSIGNED' AND tenant_id IS NULL) OR (status IN ('ALLOCATED', 'ASSIGNED') AND tenant_id IS NOT NULL)),
                CONSTRAINT ck_phone_numbers_metadata CHECK (jsonb_typeof(provider_metadata) = 'object'),
                CONSTRAINT fk_phone_numbers_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE RESTRICT
            );
            CREATE INDEX ix_phone_numbers_tenant_status ON phone_numbers (tenant_id, status, number);
            CREATE INDEX ix_phone_numbers_status ON phone_numbers (status, number);
            CREATE INDEX ix_phone_numbers_number_trgm ON phone_numbers USING gin (number gin_trgm_ops);
            """);
    }

    public override void Down() => Execute.Sql("DROP TABLE phone_numbers;");
}
