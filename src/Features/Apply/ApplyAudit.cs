using Did.Infrastructure.Audit;
using Did.Infrastructure.Json;

namespace Did.Features.Apply;

/// <summary>What a tenant's audit log says when an apply changed what it has live.</summary>
public sealed record TenantDeployed(Guid JobId, Guid TenantId);

/// <summary>Audit rows of an apply written for a caller captured as an <see cref="ApplyCaller"/> (the run may be another
/// caller's request): the parameters of <see cref="AuditLog.InsertSql"/>.</summary>
public sealed class ApplyAudit
{
    private ApplyAudit(ApplyCaller caller, AuditAction action, AuditEntity entity, Guid entityId, Guid? tenantId, object after)
    {
        AuditActor = caller.ActorId;
        AuditActionName = ApiJson.Name(action);
        AuditEntityType = ApiJson.Name(entity);
        AuditEntityId = entityId;
        AuditTenantId = tenantId;
        AuditAfter = ApiJson.Serialize(after);
        AuditIp = caller.SourceIp;
        AuditUserAgent = caller.UserAgent;
        AuditRequestId = caller.RequestId;
    }

    /// <summary>APPLY of the APPLY_JOB, platform-wide (no tenant): the job as it ended.</summary>
    public static ApplyAudit Job(ApplyCaller caller, Guid jobId, ApplyJobResponse job) =>
        new(caller, AuditAction.Apply, AuditEntity.ApplyJob, jobId, null, job);

    /// <summary>APPLY of TENANT <paramref name="tenantId"/>, in that tenant's log, naming the job.</summary>
    public static ApplyAudit TenantDeployed(ApplyCaller caller, Guid jobId, Guid tenantId) =>
        new(caller, AuditAction.Apply, AuditEntity.Tenant, tenantId, tenantId, new TenantDeployed(jobId, tenantId));

    public Guid AuditId { get; } = Guid.CreateVersion7();
    public Guid? AuditActor { get; }
    public string AuditActionName { get; }
    public string AuditEntityType { get; }
    public Guid? AuditEntityId { get; }
    public Guid? AuditTenantId { get; }
    public string? AuditBefore => null;
    public string? AuditAfter { get; }
    public string? AuditIp { get; }
    public string? AuditUserAgent { get; }
    public string? AuditRequestId { get; }
}
