using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Did.Dialplan;
using Npgsql;

namespace Did.Features.Apply;

/// <summary>What the last successful apply left live: the job and the sha256 of its extensions file.</summary>
public sealed record DeployedBaseline(Guid JobId, DateTime DeployedAt, string ContentSha256);

/// <summary>A tenant's part in its stored form: the canonical JSON and its sha256.</summary>
public sealed record StoredPart(Guid TenantId, string Sha256, string Json);

/// <summary>What an apply records when it ends well: its scoped parts, and for each one it did not take as stored, its
/// stored form, or only the hash of that form when this process made the same form before
/// (<see cref="DeployedState.Prepare"/>).</summary>
public sealed record PartsToRecord(ScopedParts Scoped, IReadOnlyList<StoredPart> Forms, IReadOnlyDictionary<Guid, string> Hashes);

/// <summary>The deployed state: each tenant's part of the snapshot that the last successful apply rendered, stored in the
/// transaction that records the job's success. A tenant's apply takes every other tenant from here; a drift check renders
/// the whole of it to know what the switch should run. Parts are stored in a canonical order (lists sorted where their
/// order means nothing), so the same data always has the same bytes and hash, and only a part that changed is written.</summary>
public static class DeployedState
{
    public static async Task<DeployedBaseline?> BaselineAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<DeployedBaseline>(new CommandDefinition(
            "SELECT job_id, deployed_at, content_sha256 FROM deployed_dialplan", cancellationToken: ct));

    // Parts already read, by tenant, with the hash they were stored under: a part is read and parsed again only when it
    // changed. Keyed by content hash, so a part cached from a transaction that rolled back is still that content.
    private static readonly ConcurrentDictionary<Guid, (string Sha, TenantPart Part)> Read = new();

    /// <summary>Every deployed tenant's part, by tenant id; only parts not read before are read whole.</summary>
    public static async Task<Dictionary<Guid, TenantPart>> PartsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var hashes = (await conn.QueryAsync<(Guid TenantId, string Sha)>(new CommandDefinition(
            "SELECT tenant_id, part_sha256 FROM deployed_tenants", cancellationToken: ct))).ToList();
        var parts = new Dictionary<Guid, TenantPart>(hashes.Count);
        var missing = new List<Guid>();
        foreach (var (id, sha) in hashes)
        {
            if (Read.TryGetValue(id, out var cached) && cached.Sha == sha) parts[id] = cached.Part;
            else missing.Add(id);
        }
        if (missing.Count == 0) return parts;
        var rows = await conn.QueryAsync<(Guid TenantId, string Sha, string Part)>(new CommandDefinition(
            "SELECT tenant_id, part_sha256, part FROM deployed_tenants WHERE tenant_id = ANY(@missing)", new { missing = missing.ToArray() },
            cancellationToken: ct));
        foreach (var (id, sha, json) in rows)
        {
            var part = FromJson(json);
            Read[id] = (sha, part);
            parts[id] = part;
        }
        return parts;
    }

    /// <summary>The stored form of a part: its canonical form as JSON.</summary>
    public static string ToJson(TenantPart part) => JsonSerializer.Serialize(Canonical(part), DeployedPartJson.Default.TenantPart);

    public static TenantPart FromJson(string json) => JsonSerializer.Deserialize(json, DeployedPartJson.Default.TenantPart)!;

    /// <summary>Whether some apply has deployed something without recording what (it ran before deployed state was
    /// kept): then nobody knows what the other tenants have live, and only a platform apply may run.</summary>
    public static Task<bool> UnrecordedDeployExistsAsync(NpgsqlConnection conn, CancellationToken ct) =>
        conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT NOT EXISTS (SELECT 1 FROM deployed_dialplan)
               AND EXISTS (SELECT 1 FROM apply_jobs WHERE status IN ('SUCCEEDED', 'NO_CHANGES'))
            """, cancellationToken: ct));

    // The last part of each tenant this process made the stored form of, and the hash of that form. The form is a
    // function of the part alone, so an entry stays true whatever the database holds or whichever transaction rolled
    // back; it only spares making the same form again.
    private static readonly ConcurrentDictionary<Guid, (TenantPart Part, string Sha)> Made = new();

    /// <summary>The stored form of each part that an apply of <paramref name="scoped"/> did not take as stored, or only its
    /// hash when the part is the same, in the same order, as the one this process last made the form of (the database
    /// gives unchanged rows in the same order; a part in another order only has its form made again): pure CPU work,
    /// done while the apply runs (it is needed only when the job ends well).</summary>
    public static PartsToRecord Prepare(ScopedParts scoped)
    {
        var forms = new List<StoredPart>();
        var hashes = new Dictionary<Guid, string>();
        foreach (var (id, part) in scoped.Parts)
        {
            if (scoped.AsDeployed.Contains(id)) continue;
            if (Made.TryGetValue(id, out var made) && SamePart.Equal(part, made.Part))
            {
                hashes[id] = made.Sha;
                continue;
            }
            var form = Store(id, part);
            Made[id] = (part, form.Sha256);
            forms.Add(form);
        }
        return new PartsToRecord(scoped, forms, hashes);
    }

    private static StoredPart Store(Guid tenantId, TenantPart part)
    {
        var json = ToJson(part);
        return new StoredPart(tenantId, Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json))), json);
    }

    /// <summary>Records what job <paramref name="jobId"/> deployed, in the caller's transaction: writes the parts whose
    /// content changed, removes those of tenants no longer deployed, and answers the tenants whose live routing changed
    /// (added, changed or removed).</summary>
    public static async Task<List<Guid>> RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid jobId, string contentSha256,
        PartsToRecord record, CancellationToken ct)
    {
        var stored = (await conn.QueryAsync<(Guid TenantId, string Sha)>(new CommandDefinition(
            "SELECT tenant_id, part_sha256 FROM deployed_tenants", transaction: tx, cancellationToken: ct))).ToDictionary(r => r.TenantId, r => r.Sha);
        var parts = record.Scoped.Parts;
        // A part taken as stored is still stored: only applies, under the apply lock, write deployed_tenants. A part known
        // only by its hash gets its stored form made here, if what is stored differs.
        var changed = record.Forms.Where(f => !stored.TryGetValue(f.TenantId, out var old) || old != f.Sha256)
            .Concat(record.Hashes.Where(h => !stored.TryGetValue(h.Key, out var old) || old != h.Value).Select(h => Store(h.Key, parts[h.Key])))
            .Concat(record.Scoped.AsDeployed.Where(id => !stored.ContainsKey(id)).Select(id => Store(id, parts[id])))
            .ToList();
        var removed = stored.Keys.Where(id => !parts.ContainsKey(id)).ToArray();
        foreach (var id in Made.Keys.Where(id => !parts.ContainsKey(id))) Made.TryRemove(id, out _); // tenants no longer deployed

        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO deployed_dialplan (job_id, content_sha256) VALUES (@jobId, @contentSha256)
            ON CONFLICT (singleton) DO UPDATE SET job_id = EXCLUDED.job_id, deployed_at = now(), content_sha256 = EXCLUDED.content_sha256;
            DELETE FROM deployed_tenants WHERE tenant_id = ANY(@removed);
            INSERT INTO deployed_tenants (tenant_id, job_id, part_sha256, part)
            SELECT t.id, @jobId, t.sha, t.part FROM unnest(@ids, @shas, @jsons) AS t(id, sha, part)
            ON CONFLICT (tenant_id) DO UPDATE SET job_id = EXCLUDED.job_id, deployed_at = now(), part_sha256 = EXCLUDED.part_sha256, part = EXCLUDED.part;
            """, new
            {
                jobId, contentSha256, removed,
                ids = changed.Select(c => c.TenantId).ToArray(), shas = changed.Select(c => c.Sha256).ToArray(), jsons = changed.Select(c => c.Json).ToArray(),
            }, tx, cancellationToken: ct));
        return [.. changed.Select(c => c.TenantId).Concat(removed).Order()];
    }

    /// <summary>The part with every list whose order carries no meaning sorted, and IVR options by key. Queue members,
    /// opening intervals, closed dates and route rules keep their order: it is the order they act in.</summary>
    public static TenantPart Canonical(TenantPart part)
    {
        var t = part.Tenant;
        var tenant = t with
        {
            Users = [.. t.Users.OrderBy(u => u.Id)],
            Ivrs = [.. t.Ivrs.OrderBy(i => i.Id).Select(i => i with { Options = new SortedDictionary<string, Destination>(i.Options.ToDictionary(), StringComparer.Ordinal) })],
            Queues = [.. t.Queues.OrderBy(q => q.Id)],
            Schedules = t.Schedules is null ? null : [.. t.Schedules.OrderBy(s => s.Id)],
        };
        return new TenantPart(tenant, [.. part.Numbers.OrderBy(n => n.Number, StringComparer.Ordinal)],
            part.Quarantined is { Count: > 0 } q ? [.. q.OrderBy(n => n.Number, StringComparer.Ordinal)] : null);
    }
}

/// <summary>The stored form of a part, generated at build time: property names as declared, enums by name.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(TenantPart))]
internal sealed partial class DeployedPartJson : JsonSerializerContext;
