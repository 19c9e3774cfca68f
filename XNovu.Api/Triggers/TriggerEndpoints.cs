using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.RateLimiting;
using XNovu.Core.Validation;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace XNovu.Api.Triggers;

/// <summary>
/// <c>POST /api/trigger</c> and <c>POST /api/trigger/bulk</c>: a trigger is stored (the notification, and
/// by the database one delivery per recipient) before it is answered 202, and the dispatcher sends it.
/// Both are rate limited per enterprise before the trigger is parsed. The raw body is read here rather than
/// bound, because an <c>Idempotency-Key</c> is tied to the exact bytes it came with.
/// </summary>
public static class TriggerEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Set on an answer replayed for an Idempotency-Key, as Novu does.</summary>
    public const string IdempotencyReplayHeader = "Idempotency-Replay";

    private const string Prefix = "/api/trigger";

    public static RouteGroupBuilder MapTriggerEndpoints(this IEndpointRouteBuilder routes)
    {
        var options = routes.ServiceProvider.GetRequiredService<IOptions<TriggerOptions>>().Value;
        var group = routes.MapGroup(Prefix)
            .WithTags("Triggers")
            .RequireAuthorization(XNovuAuth.EnterprisePolicy)
            .WithMetadata(new RateLimitedAs(RouteClass.Triggers));

        group.MapPost("/", TriggerAsync)
            .Accepts<TriggerRequest>("application/json");
        group.MapPost("/bulk", BulkAsync)
            .Accepts<BulkTriggerRequest>("application/json")
            .WithMetadata(new RequestSizeLimitAttribute(options.MaxBulkRequestBytes), new ChecksBodyTextPerItem());
        return group;
    }

    private static async Task<Results<Accepted<TriggerAccepted>, ProblemHttpResult>> TriggerAsync(
        HttpContext http,
        TriggerCommitWriter writer,
        TriggerResend resend,
        EventFitCheck fit,
        IOptions<TriggerOptions> options,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var request = Deserialize<TriggerRequest>(body, json.Value.SerializerOptions)
            ?? throw new BadHttpRequestException("The request body must be a JSON object.");
        if (request.NotificationId is { } notificationId)
        {
            return await ResendAsync(http, resend, request, notificationId, cancellationToken);
        }

        var (claim, claimProblem) = Claim(http.Request, "trigger", body);
        if (claimProblem is not null)
        {
            return claimProblem;
        }

        var enterpriseId = http.User.EnterpriseId();
        var (trigger, invalid) = TriggerValidation.Prepare(request, enterpriseId, options.Value);
        if (invalid is not null)
        {
            return invalid;
        }

        if (await fit.CheckAsync(enterpriseId, trigger!, cancellationToken) is { } tooLarge)
        {
            return tooLarge;
        }

        var outcome = await writer.TriggerAsync(enterpriseId, trigger!, claim, cancellationToken);
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        MarkReplay(http, outcome.Replayed);
        return TypedResults.Accepted($"/api/notifications/{outcome.Answer!.NotificationId}", outcome.Answer);
    }

    /// <summary>
    /// The original's re-send of an existing notification (<c>notificationId</c>): the stored notification is
    /// sent as it was stored, so the other fields are not used; <c>workflowId</c>, when given, must be its own.
    /// </summary>
    private static async Task<Results<Accepted<TriggerAccepted>, ProblemHttpResult>> ResendAsync(
        HttpContext http, TriggerResend resend, TriggerRequest request, long notificationId, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        if (request.EnterpriseId is { } named && named != enterpriseId)
        {
            return Problems.Forbidden("enterpriseId names another enterprise than the API key's; omit it or send the key's own.");
        }

        if (notificationId <= 0)
        {
            return Problems.Malformed("The trigger is malformed.", new Dictionary<string, string[]> { ["notificationId"] = ["must be a positive notification id."] });
        }

        var workflowKey = string.IsNullOrWhiteSpace(request.WorkflowKey) ? null : request.WorkflowKey;
        var (answer, problem) = await resend.ResendAsync(enterpriseId, notificationId, workflowKey, cancellationToken);
        return problem ?? (Results<Accepted<TriggerAccepted>, ProblemHttpResult>)TypedResults.Accepted($"/api/notifications/{notificationId}", answer);
    }

    private static async Task<Results<Ok<BulkTriggerResponse>, ProblemHttpResult>> BulkAsync(
        HttpContext http,
        TriggerStore store,
        EventFitCheck fit,
        EnterpriseRateLimiter limiter,
        IOptions<TriggerOptions> options,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadBodyAsync(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var serializer = json.Value.SerializerOptions;
        var request = Deserialize<BulkTriggerRequest>(body, serializer)
            ?? throw new BadHttpRequestException("The request body must be a JSON object.");
        if (request.Events is null)
        {
            return Problems.Malformed("The bulk trigger is malformed.", new Dictionary<string, string[]> { ["events"] = ["is required."] });
        }

        // Over the limit is refused whole, before anything is checked: a caller splits and sends again.
        if (request.Events.Count is 0 || request.Events.Count > options.Value.MaxBulkEvents)
        {
            return Problems.Validation("events", $"must hold 1 to {options.Value.MaxBulkEvents} events.");
        }

        if (await AdmitBulkAsync(http, limiter, request.Events.Count) is { } refused)
        {
            return refused;
        }

        var (claim, claimProblem) = Claim(http.Request, "bulk", body);
        if (claimProblem is not null)
        {
            return claimProblem;
        }

        var enterpriseId = http.User.EnterpriseId();
        var events = request.Events
            .Select((element, index) => PrepareEvent(element, index, enterpriseId, options.Value, serializer))
            .ToList();
        // An event whose Novu event cannot fit is that event's 413, like any other event's own problem.
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Item1 is { } trigger && await fit.CheckAsync(enterpriseId, trigger, cancellationToken) is { } tooLarge)
            {
                events[i] = (null, tooLarge);
            }
        }

        var outcome = await store.TriggerBulkAsync(enterpriseId, events, claim, cancellationToken);
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        MarkReplay(http, outcome.Replayed);
        return TypedResults.Ok(outcome.Answer!);
    }

    /// <summary>
    /// A bulk call spends one token of the enterprise's trigger rate per event, as that many single triggers
    /// would (as Novu weighs its bulk route), so bulk is no way past the rate: the filter took the call's first
    /// token before the body was read, this takes the rest. More events than one second's worth can never be
    /// granted: 422, split the call.
    /// </summary>
    private static async Task<ProblemHttpResult?> AdmitBulkAsync(HttpContext http, EnterpriseRateLimiter limiter, int events)
    {
        if (events <= 1)
        {
            return null;
        }

        var decision = await limiter.AcquireAsync(http.User.EnterpriseId(), RouteClass.Triggers, events - 1, http.RequestAborted);
        if (decision.Acquired)
        {
            return null;
        }

        return events > decision.PerSecond
            ? Problems.Validation("events", $"hold {events} events, more than this enterprise may trigger per second ({decision.PerSecond}); split the call.")
            : EnterpriseRateLimitFilter.TooManyRequests(http, decision);
    }

    /// <summary>One event of a bulk call: its own malformation is its own 400, not the call's.</summary>
    private static (PreparedTrigger?, ProblemHttpResult?) PrepareEvent(
        JsonElement element, int index, Guid enterpriseId, TriggerOptions options, JsonSerializerOptions serializer)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, Problems.Malformed($"Event {index} must be a JSON object."));
        }

        if (TextSafety.Scan(element) is { } fault)
        {
            return (null, Problems.Malformed($"Event {index}: '{fault.Field}' {fault.Message}", new Dictionary<string, string[]> { [fault.Field] = [fault.Message] }));
        }

        TriggerRequest request;
        try
        {
            request = element.Deserialize<TriggerRequest>(serializer)!;
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 0 } path ? path.TrimStart('$', '.') : "event";
            return (null, Problems.Malformed(
                $"Event {index} is malformed.", new Dictionary<string, string[]> { [field] = ["is malformed or of the wrong type."] }));
        }

        return TriggerValidation.Prepare(request, enterpriseId, options);
    }

    private static async Task<(byte[] Body, ProblemHttpResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return ([], Problems.Malformed("Send the body as JSON (Content-Type: application/json)."));
        }

        // Reading past the endpoint's body limit throws a 413 that the problem handler answers.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return (buffer.ToArray(), null);
    }

    /// <summary>Malformed JSON becomes the same 400, naming the field, as a bound body would.</summary>
    private static T? Deserialize<T>(byte[] body, JsonSerializerOptions serializer)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, serializer);
        }
        catch (JsonException ex)
        {
            throw new BadHttpRequestException("The request body is not valid JSON.", StatusCodes.Status400BadRequest, ex);
        }
    }

    /// <summary>
    /// The Idempotency-Key, if any, with the SHA-256 of the operation and the raw body: the same key with
    /// other bytes (or on the other trigger route) is another request.
    /// </summary>
    private static (IdempotencyClaim?, ProblemHttpResult?) Claim(HttpRequest request, string operation, byte[] body)
    {
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            return (null, null);
        }

        var key = values.ToString();
        if (values.Count != 1 || string.IsNullOrWhiteSpace(key) || key.Length > TriggerOptions.MaxIdempotencyKeyLength)
        {
            return (null, Problems.Malformed(
                $"The {IdempotencyKeyHeader} header must be one value of 1 to {TriggerOptions.MaxIdempotencyKeyLength} characters.",
                new Dictionary<string, string[]> { [IdempotencyKeyHeader] = [$"must be 1 to {TriggerOptions.MaxIdempotencyKeyLength} characters."] }));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(operation));
        hash.AppendData([0]);
        hash.AppendData(body);
        return (new IdempotencyClaim(key, hash.GetHashAndReset()), null);
    }

    private static void MarkReplay(HttpContext http, bool replayed)
    {
        if (replayed)
        {
            http.Response.Headers[IdempotencyReplayHeader] = "true";
        }
    }
}
