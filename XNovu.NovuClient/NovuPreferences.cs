using System.Text.Json;

namespace XNovu.NovuClient;

/// <summary>
/// Novu's subscriber preference routes, named after the official SDK's <c>subscribers.preferences</c>. Channel
/// keys are Novu's (<c>email</c>, <c>sms</c>, <c>in_app</c>, <c>push</c>, <c>chat</c>); a channel left out keeps
/// its value in Novu.
/// </summary>
public interface INovuPreferences
{
    /// <summary><c>PATCH /v2/subscribers/{id}/preferences</c>: the global preference (no workflow id) or one workflow's.</summary>
    Task<NovuOutcome> UpdateAsync(string subscriberId, string? workflowId, IReadOnlyDictionary<string, bool> channels, CancellationToken cancellationToken = default);

    /// <summary><c>PATCH /v2/subscribers/{id}/preferences/bulk</c>: at most <see cref="MaxBulk"/> workflows, all or nothing.</summary>
    Task<NovuOutcome> BulkUpdateAsync(string subscriberId, IReadOnlyList<(string WorkflowId, IReadOnlyDictionary<string, bool> Channels)> preferences, CancellationToken cancellationToken = default);

    /// <summary><c>GET /v2/subscribers/{id}/preferences?criticality=all</c>: the answer's <c>data</c>, as Novu shapes it.</summary>
    Task<NovuOutcome<JsonElement>> GetAsync(string subscriberId, CancellationToken cancellationToken = default);

    public const int MaxBulk = 100;
}

internal sealed class NovuPreferences(NovuRestClient client) : INovuPreferences
{
    private static string Path(string subscriberId) => $"v2/subscribers/{Uri.EscapeDataString(subscriberId)}/preferences";

    public async Task<NovuOutcome> UpdateAsync(string subscriberId, string? workflowId, IReadOnlyDictionary<string, bool> channels, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriberId);
        object body = workflowId is null ? new { channels } : new { channels, workflowId };
        var answer = await client.SendAsync(HttpMethod.Patch, Path(subscriberId), body, null, cancellationToken);
        return client.ToOutcome(answer, _ => true);
    }

    public async Task<NovuOutcome> BulkUpdateAsync(
        string subscriberId, IReadOnlyList<(string WorkflowId, IReadOnlyDictionary<string, bool> Channels)> preferences, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriberId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(preferences.Count, INovuPreferences.MaxBulk);
        var body = new { preferences = preferences.Select(p => new { workflowId = p.WorkflowId, channels = p.Channels }).ToList() };
        var answer = await client.SendAsync(HttpMethod.Patch, $"{Path(subscriberId)}/bulk", body, null, cancellationToken);
        return client.ToOutcome(answer, _ => true);
    }

    public async Task<NovuOutcome<JsonElement>> GetAsync(string subscriberId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriberId);
        var answer = await client.SendAsync(HttpMethod.Get, $"{Path(subscriberId)}?criticality=all", null, null, cancellationToken);
        return client.ToOutcome(answer, data => data.Clone());
    }
}
