namespace XNovu.Api.Audit;

/// <summary>One write through the API: who, what, when.</summary>
/// <param name="Actor"><c>api-key:&lt;id&gt;</c> or <c>admin</c>.</param>
/// <param name="Request">The route that wrote (<c>POST /api/templates/{templateKey}/publish</c>).</param>
/// <param name="Changed">For an update, the fields it changed.</param>
public sealed record AuditEventResponse(
    long Id,
    Guid EnterpriseId,
    DateTime At,
    string Actor,
    string? Request,
    string EntityType,
    string? EntityKey,
    string Action,
    IReadOnlyList<string>? Changed);

/// <param name="NextBefore">Pass as <c>before</c> for the next (older) page; null on the last page.</param>
public sealed record AuditPage(IReadOnlyList<AuditEventResponse> Items, long? NextBefore);

internal sealed record AuditQuery(string? EntityType, string? EntityKey, DateTimeOffset? From, DateTimeOffset? To, long? Before, int Limit);
