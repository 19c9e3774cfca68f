using System.Text.Json;

namespace XNovu.NovuClient;

/// <summary>Novu's <c>/v2/workflows</c> routes, named after the official SDK's <c>workflows</c> namespace.</summary>
public interface INovuWorkflows
{
    /// <summary><c>POST /v2/workflows</c>; an identifier already taken is a terminal 409.</summary>
    Task<NovuOutcome<NovuWorkflowResponse>> CreateAsync(NovuWorkflowRequest workflow, CancellationToken cancellationToken = default);

    /// <summary><c>GET /v2/workflows/{workflowId}</c>; a missing workflow is a terminal 404.</summary>
    Task<NovuOutcome<NovuWorkflowResponse>> GetAsync(string workflowId, CancellationToken cancellationToken = default);

    /// <summary><c>PUT /v2/workflows/{workflowId}</c>: replaces the workflow's name, steps and active flag.</summary>
    Task<NovuOutcome<NovuWorkflowResponse>> UpdateAsync(string workflowId, NovuWorkflowRequest workflow, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /v2/workflows/{workflowId}</c>.</summary>
    Task<NovuOutcome> DeleteAsync(string workflowId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>GET /v2/workflows?limit=</c>: the environment's workflows, one page. With a limit of 1 it is the cheapest
    /// authenticated call that changes nothing, so it verifies a secret key (401 when Novu does not know it).
    /// </summary>
    Task<NovuOutcome> ListAsync(int limit, CancellationToken cancellationToken = default);
}

internal sealed class NovuWorkflows(NovuRestClient client) : INovuWorkflows
{
    private const string Path = "v2/workflows";

    public async Task<NovuOutcome<NovuWorkflowResponse>> CreateAsync(NovuWorkflowRequest workflow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var answer = await client.SendAsync(HttpMethod.Post, Path, workflow, null, cancellationToken);
        var outcome = client.ToOutcome(answer, Read);
        // A 409 is otherwise an idempotent request in progress; here (no Idempotency-Key is sent) it is a
        // taken identifier, which asking again will not free.
        return outcome.HttpStatus == 409 ? outcome with { Kind = NovuOutcomeKind.Terminal, RetryAfter = null } : outcome;
    }

    public async Task<NovuOutcome<NovuWorkflowResponse>> GetAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        var answer = await client.SendAsync(HttpMethod.Get, $"{Path}/{Uri.EscapeDataString(workflowId)}", null, null, cancellationToken);
        return client.ToOutcome(answer, Read);
    }

    public async Task<NovuOutcome<NovuWorkflowResponse>> UpdateAsync(string workflowId, NovuWorkflowRequest workflow, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        ArgumentNullException.ThrowIfNull(workflow);
        var answer = await client.SendAsync(HttpMethod.Put, $"{Path}/{Uri.EscapeDataString(workflowId)}", workflow, null, cancellationToken);
        return client.ToOutcome(answer, Read);
    }

    public async Task<NovuOutcome> DeleteAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        var answer = await client.SendAsync(HttpMethod.Delete, $"{Path}/{Uri.EscapeDataString(workflowId)}", null, null, cancellationToken);
        return client.ToOutcome<bool>(answer, _ => true);
    }

    public async Task<NovuOutcome> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var answer = await client.SendAsync(HttpMethod.Get, $"{Path}?limit={limit}", null, null, cancellationToken);
        return client.ToOutcome<bool>(answer, _ => true);
    }

    private static NovuWorkflowResponse? Read(JsonElement data) => data.Deserialize<NovuWorkflowResponse>(NovuJson.Options);
}
