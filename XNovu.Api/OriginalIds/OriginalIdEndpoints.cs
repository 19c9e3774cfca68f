using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.OriginalIds;

/// <param name="Kind">workflow, category, priority, rule or template.</param>
/// <param name="OriginalId">The id of the definition in the original XNovu database.</param>
/// <param name="Key">What it became in XNovu: a workflow key, a category or priority code, a template key, or for a
/// rule its XNovu id; null (or a key of nothing) when it was not brought, so the original id is refused, never guessed.</param>
public sealed record OriginalIdItem(string? Kind, long? OriginalId, string? Key);

public sealed record OriginalIdsRequest(IReadOnlyList<OriginalIdItem>? Items);

/// <param name="Id">XNovu's id of the definition the original id now names; null: none (original_compat refuses it).</param>
public sealed record OriginalIdMapping(string Kind, long OriginalId, string? Key, long? Id);

public sealed record OriginalIdsResponse(IReadOnlyList<OriginalIdMapping> Items);

/// <summary>
/// The original's id map: which XNovu definition each id of the original XNovu became, so that the original's
/// writers, inserting the original's ids into <c>original_compat.ent_notification</c>, reach the right one. Written
/// by <c>xnovu import</c>.
/// </summary>
public static class OriginalIdEndpoints
{
    public const int MaxItems = 1000;

    private static readonly string[] Kinds = ["workflow", "category", "priority", "rule", "template"];

    public static IEndpointRouteBuilder MapOriginalIdEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPut("/api/original-ids", async Task<Results<Ok<OriginalIdsResponse>, ProblemHttpResult>> (
            OriginalIdsRequest request, HttpContext http, OriginalIdStore store, CancellationToken cancellationToken) =>
        {
            var errors = Validate(request);
            if (errors.Any)
            {
                return errors.ToProblem();
            }

            var mapped = await store.MapAsync(http.User.EnterpriseId(), request.Items!, cancellationToken);
            return TypedResults.Ok(new OriginalIdsResponse(mapped));
        })
        .WithTags("Import")
        .RequireAuthorization(XNovuAuth.EnterprisePolicy);
        return routes;
    }

    private static ValidationErrors Validate(OriginalIdsRequest request)
    {
        var errors = new ValidationErrors();
        if (request.Items is not { Count: > 0 and <= MaxItems } items)
        {
            return errors.Add("items", $"must hold 1 to {MaxItems} mappings.");
        }

        var seen = new HashSet<(string, long)>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is null)
            {
                errors.Add($"items[{i}]", "must be an object.");
                continue;
            }

            if (item.Kind is null || !Kinds.Contains(item.Kind, StringComparer.Ordinal))
            {
                errors.Add($"items[{i}].kind", $"must be one of {string.Join(", ", Kinds)}.");
            }

            if (item.OriginalId is not > 0)
            {
                errors.Add($"items[{i}].originalId", "must be a positive id.");
            }
            else if (item.Kind is not null && !seen.Add((item.Kind, item.OriginalId.Value)))
            {
                errors.Add($"items[{i}].originalId", "is mapped twice in this request.");
            }

            if (item.Key is { Length: 0 or > 200 })
            {
                errors.Add($"items[{i}].key", "must be 1 to 200 characters, or null.");
            }
            else if (item.Kind == "rule" && item.Key is not null && !long.TryParse(item.Key, out _))
            {
                errors.Add($"items[{i}].key", "must be the XNovu rule's id for a rule.");
            }
        }

        return errors;
    }
}
