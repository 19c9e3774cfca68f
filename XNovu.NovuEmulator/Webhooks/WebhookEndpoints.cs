namespace XNovu.NovuEmulator.Webhooks;

/// <summary>
/// <c>/emulator/webhooks</c> (development only): <c>GET</c> the configuration, <c>POST</c> a new one (receiver URL,
/// secret, faults), <c>GET /sent?transactionId=</c> what was sent and answered, <c>DELETE /sent</c> to forget it,
/// <c>GET /pending</c> how many are queued or being sent.
/// </summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/emulator/webhooks").WithTags("Emulator");
        group.MapGet("/", (WebhookSettings settings) => TypedResults.Ok(settings.Current with { Secret = null }));
        group.MapPost("/", (WebhookConfiguration request, WebhookSettings settings) =>
        {
            var unknown = (request.Faults ?? []).Where(f => !WebhookFaults.All.Contains(f)).ToList();
            if (unknown.Count > 0 || (request.Url is { Length: > 0 } && !Uri.TryCreate(request.Url, UriKind.Absolute, out _)))
            {
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["faults"] = [$"unknown: {string.Join(", ", unknown)}; known: {string.Join(", ", WebhookFaults.All)}"] },
                    type: "https://xnovu.dev/problems/emulator-webhooks-invalid");
            }

            settings.Set(request);
            return Results.NoContent();
        });
        group.MapGet("/sent", (string? transactionId, WebhookSettings settings) => TypedResults.Ok(settings.Sent(transactionId)));
        group.MapGet("/pending", (WebhookSender sender) => TypedResults.Ok(new PendingWebhooks(sender.Pending)));
        group.MapDelete("/sent", (WebhookSettings settings) =>
        {
            settings.ClearLog();
            return TypedResults.NoContent();
        });
        return routes;
    }
}

/// <summary>The answer of <c>GET /emulator/webhooks/pending</c>.</summary>
public sealed record PendingWebhooks(int Pending);
