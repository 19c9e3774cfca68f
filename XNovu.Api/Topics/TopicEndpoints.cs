using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.Subscribers;

namespace XNovu.Api.Topics;

/// <summary>
/// Topics, Novu's audiences: created, listed, deleted, and their members added, removed and listed. A trigger
/// whose <c>to</c> holds <c>{"type":"Topic","topicKey":...}</c> reaches every member (see <see cref="TopicAudience"/>).
/// Row-level security makes another enterprise's topic unknown (404).
/// </summary>
public static class TopicEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    public const int MaxTopicKeyLength = 255;
    public const int MaxNameLength = 200;

    private const string Prefix = "/api/topics";

    public static RouteGroupBuilder MapTopicEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Topics").RequireAuthorization(XNovuAuth.EnterprisePolicy);

        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{topicKey}", GetAsync);
        group.MapDelete("/{topicKey}", DeleteAsync);
        group.MapPost("/{topicKey}/subscribers", AddAsync);
        // Novu's spelling of a removal with a body; DELETE .../subscribers/{id} removes one.
        group.MapPost("/{topicKey}/subscribers/removal", RemoveAsync);
        group.MapDelete("/{topicKey}/subscribers/{subscriberId}", (string topicKey, string subscriberId, HttpContext http, TopicStore store, IOptions<TopicOptions> options, CancellationToken ct) =>
            RemoveAsync(topicKey, new TopicMembersRequest([subscriberId]), http, store, options, ct));
        group.MapGet("/{topicKey}/subscribers", MembersAsync);
        return group;
    }

    /// <summary>The rule of a topic key, wherever one is given (the topic API, a trigger's <c>to</c>).</summary>
    public static string? TopicKeyProblem(string? topicKey) =>
        string.IsNullOrWhiteSpace(topicKey) ? "is required: a non-empty topic key."
        : topicKey.Length > MaxTopicKeyLength ? $"must be at most {MaxTopicKeyLength} characters."
        : topicKey.Contains('\0', StringComparison.Ordinal) ? "must not contain a NUL character."
        : null;

    private static async Task<Results<Created<TopicResponse>, ProblemHttpResult>> CreateAsync(
        TopicBody body, HttpContext http, TopicStore store, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (TopicKeyProblem(body.TopicKey) is { } keyProblem)
        {
            errors.Add("topicKey", keyProblem);
        }

        if (body.Name is { } name && (name.Length > MaxNameLength || name.Contains('\0', StringComparison.Ordinal)))
        {
            errors.Add("name", $"must be at most {MaxNameLength} characters, without NUL.");
        }

        if (errors.Any)
        {
            return body.TopicKey?.Contains('\0', StringComparison.Ordinal) == true || body.Name?.Contains('\0', StringComparison.Ordinal) == true
                ? Problems.Malformed("The topic is malformed.", errors.ToDictionary())
                : errors.ToProblem();
        }

        var topic = await store.CreateAsync(http.User.EnterpriseId(), body.TopicKey!, body.Name, cancellationToken);
        return topic is null
            ? Problems.Conflict($"Topic '{body.TopicKey}' exists already.")
            : TypedResults.Created($"{Prefix}/{Uri.EscapeDataString(topic.TopicKey)}", topic);
    }

    private static async Task<Results<Ok<TopicPage>, ProblemHttpResult>> ListAsync(
        int? limit, string? cursor, HttpContext http, TopicStore store, CancellationToken cancellationToken)
    {
        var (take, after, problem) = Page(limit, cursor);
        if (problem is not null)
        {
            return problem;
        }

        var rows = await store.ListAsync(http.User.EnterpriseId(), after, take + 1, cancellationToken);
        var items = rows.Take(take).ToList();
        return TypedResults.Ok(new TopicPage(items, rows.Count > take ? new KeyCursor(items[^1].TopicKey).Encode() : null));
    }

    private static async Task<Results<Ok<TopicResponse>, ProblemHttpResult>> GetAsync(
        string topicKey, HttpContext http, TopicStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(http.User.EnterpriseId(), topicKey, cancellationToken) is { } topic ? TypedResults.Ok(topic) : NotFound(topicKey);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string topicKey, HttpContext http, TopicStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(http.User.EnterpriseId(), topicKey, cancellationToken) ? TypedResults.NoContent() : NotFound(topicKey);

    private static async Task<Results<Ok<TopicMembersAdded>, ProblemHttpResult>> AddAsync(
        string topicKey, TopicMembersRequest request, HttpContext http, TopicStore store, IOptions<TopicOptions> options, CancellationToken cancellationToken)
    {
        if (CheckIds(request, options.Value) is { } problem)
        {
            return problem;
        }

        return await store.AddMembersAsync(http.User.EnterpriseId(), topicKey, request.SubscriberIds!, cancellationToken) is { } added
            ? TypedResults.Ok(added)
            : NotFound(topicKey);
    }

    private static async Task<Results<Ok<TopicMembersRemoved>, ProblemHttpResult>> RemoveAsync(
        string topicKey, TopicMembersRequest request, HttpContext http, TopicStore store, IOptions<TopicOptions> options, CancellationToken cancellationToken)
    {
        if (CheckIds(request, options.Value) is { } problem)
        {
            return problem;
        }

        return await store.RemoveMembersAsync(http.User.EnterpriseId(), topicKey, request.SubscriberIds!, cancellationToken) is { } removed
            ? TypedResults.Ok(removed)
            : NotFound(topicKey);
    }

    private static async Task<Results<Ok<TopicMemberPage>, ProblemHttpResult>> MembersAsync(
        string topicKey, int? limit, string? cursor, HttpContext http, TopicStore store, CancellationToken cancellationToken)
    {
        var (take, after, problem) = Page(limit, cursor);
        if (problem is not null)
        {
            return problem;
        }

        var rows = await store.MembersAsync(http.User.EnterpriseId(), topicKey, after, take + 1, cancellationToken);
        if (rows is null)
        {
            return NotFound(topicKey);
        }

        var items = rows.Take(take).ToList();
        return TypedResults.Ok(new TopicMemberPage(items, rows.Count > take ? new KeyCursor(items[^1].SubscriberId).Encode() : null));
    }

    private static (int Take, string? After, ProblemHttpResult? Problem) Page(int? limit, string? cursor)
    {
        var take = limit ?? DefaultPageSize;
        if (take is < 1 or > MaxPageSize)
        {
            return (0, null, Problems.Validation("limit", $"must be between 1 and {MaxPageSize}."));
        }

        if (cursor is null)
        {
            return (take, null, null);
        }

        return KeyCursor.TryDecode(cursor, out var decoded)
            ? (take, decoded.After, null)
            : (0, null, Problems.Malformed("The cursor is not one this API gave out.", new Dictionary<string, string[]> { ["cursor"] = ["is invalid."] }));
    }

    private static ProblemHttpResult? CheckIds(TopicMembersRequest request, TopicOptions options)
    {
        if (request.SubscriberIds is not { Count: > 0 } ids || ids.Count > options.MaxMembersPerCall)
        {
            return Problems.Validation("subscriberIds", $"must hold 1 to {options.MaxMembersPerCall} subscriber ids.");
        }

        var malformed = new ValidationErrors();
        for (var i = 0; i < ids.Count; i++)
        {
            if (!SubscriberValidation.IsValidId(ids[i]))
            {
                malformed.Add($"subscriberIds[{i}]", $"must be a subscriber id of 1 to {SubscriberValidation.MaxSubscriberIdLength} characters, without NUL.");
            }
        }

        return malformed.Any ? Problems.Malformed("The subscriber ids are malformed.", malformed.ToDictionary()) : null;
    }

    private static ProblemHttpResult NotFound(string topicKey) => Problems.NotFound($"Topic '{topicKey}' does not exist.");
}
