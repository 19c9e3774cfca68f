using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Core.Preferences;

namespace XNovu.Api.Preferences;

/// <summary>
/// The unsubscribe links emails carry (<c>{{ unsubscribe_url }}</c> and the <c>List-Unsubscribe</c> header), served
/// without a login: the token is the authority (<see cref="UnsubscribeLinks"/>). <c>GET</c> shows a small page that
/// asks to confirm, and changes nothing (mail scanners follow links); <c>POST</c> (the page's button, or a mail
/// client's RFC 8058 one-click <c>List-Unsubscribe=One-Click</c>) turns the token's channel off for its workflow,
/// as the subscriber's own per-workflow preference (pushed to Novu like any other). A forged or damaged token is
/// 400, an expired one 410, a subscriber no longer in the directory 404; none of them writes anything.
/// </summary>
public static class UnsubscribeEndpoints
{
    public const string InvalidToken = "https://xnovu.dev/problems/unsubscribe-token-invalid";
    public const string ExpiredToken = "https://xnovu.dev/problems/unsubscribe-token-expired";

    public static IEndpointRouteBuilder MapUnsubscribeEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/unsubscribe").WithTags("Unsubscribe").AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/{token}", Confirm);
        group.MapPost("/{token}", UnsubscribeAsync).DisableAntiforgery();
        return routes;
    }

    private static Results<ContentHttpResult, ProblemHttpResult> Confirm(string token, UnsubscribeLinks links)
    {
        if (Check(token, links, out var scope) is { } refused)
        {
            return refused;
        }

        var channel = WebUtility.HtmlEncode(scope!.Channel.Replace('_', '-'));
        var workflow = WebUtility.HtmlEncode(scope.WorkflowKey);
        return Page("Unsubscribe", $"""
            <h1>Unsubscribe</h1>
            <p>Stop {channel} notifications of <strong>{workflow}</strong>?</p>
            <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>
            """);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> UnsubscribeAsync(
        string token, UnsubscribeLinks links, PreferenceStore store, CancellationToken cancellationToken)
    {
        if (Check(token, links, out var scope) is { } refused)
        {
            return refused;
        }

        var channels = $$"""{"{{scope!.Channel}}":false}""";
        if (!await store.MergeSubscriberAsync(scope.EnterpriseId, scope.SubscriberId, [(scope.WorkflowKey, channels)], cancellationToken))
        {
            return Problems.NotFound("The subscriber of this link no longer exists.");
        }

        return Page("Unsubscribed", $"<h1>Unsubscribed</h1><p>You will no longer receive {WebUtility.HtmlEncode(scope.Channel.Replace('_', '-'))} notifications of <strong>{WebUtility.HtmlEncode(scope.WorkflowKey)}</strong>.</p>");
    }

    /// <summary>The one rule of a link: valid, signed by us, for a known channel and not expired; else the refusal.</summary>
    private static ProblemHttpResult? Check(string token, UnsubscribeLinks links, out UnsubscribeScope? scope)
    {
        var state = links.CanVerify ? links.Read(token, out scope) : Invalid(out scope);
        if (state == UnsubscribeTokenState.Valid && !PreferenceChannels.TryParse(scope!.Channel, out _))
        {
            state = UnsubscribeTokenState.Invalid;
        }

        return state switch
        {
            UnsubscribeTokenState.Valid => null,
            UnsubscribeTokenState.Expired => TypedResults.Problem("This unsubscribe link has expired.", statusCode: StatusCodes.Status410Gone,
                title: "Link expired", type: ExpiredToken),
            _ => TypedResults.Problem("This unsubscribe link is not valid.", statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid link", type: InvalidToken),
        };
    }

    private static UnsubscribeTokenState Invalid(out UnsubscribeScope? scope)
    {
        scope = null;
        return UnsubscribeTokenState.Invalid;
    }

    private static ContentHttpResult Page(string title, string body) => TypedResults.Content(
        $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>{{title}}</title>
        <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1rem}</style>
        </head><body>{{body}}</body></html>
        """, "text/html; charset=utf-8");
}
