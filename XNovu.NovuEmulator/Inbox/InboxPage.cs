using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XNovu.NovuEmulator.Events;
using XNovu.NovuEmulator.Subscribers;

namespace XNovu.NovuEmulator.Inbox;

/// <summary>
/// <c>GET /</c>: the latest deliveries per subscriber, as a local inbox a person can read in a browser.
/// Each delivery shows, per channel step of its workflow, what the subscriber received (the step's rendered
/// content) or that the step was skipped. An event accepted without a workflow shows the rendered content
/// XNovu put under the payload's <c>xnovu</c> key, or the raw payload. Everything is HTML-encoded: a body is
/// shown, never run.
/// </summary>
public static class InboxPage
{
    private const int PerSubscriber = 20;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IEndpointRouteBuilder MapInbox(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (EventStore events, SubscriberStore subscribers) =>
            Results.Content(Render(events.List(), subscribers), "text/html; charset=utf-8")).ExcludeFromDescription();
        return routes;
    }

    public static string Render(IReadOnlyList<ReceivedEvent> events, SubscriberStore subscribers)
    {
        var html = new StringBuilder();
        html.Append("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
            <title>Novu emulator inbox</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
            section{border:1px solid #ccc;border-radius:6px;padding:0 1rem 1rem;margin-bottom:1.5rem}
            article{border-top:1px solid #eee;padding:.6rem 0}
            .meta{color:#666;font-size:.85rem}.flag{background:#fde68a;border-radius:3px;padding:0 .3rem;margin-left:.4rem}
            dt{font-weight:600;margin-top:.3rem}dd{margin:0 0 0 1rem;white-space:pre-wrap}
            pre{background:#f6f6f6;padding:.5rem;overflow:auto}
            </style></head><body>
            <h1>Novu emulator: local inbox</h1>
            """);
        html.Append(CultureInfo.InvariantCulture,
            $"<p class=\"meta\">{events.Count} event(s) received. Raw data: <a href=\"/emulator/events\">/emulator/events</a>, <a href=\"/emulator/requests\">/emulator/requests</a>. This page refreshes every 5 s.</p>");

        var inboxes = events
            .SelectMany(e => (e.SubscriberIds.Count > 0 ? e.SubscriberIds : ["(no subscriber: topic)"]).Select(id => (Id: id, Event: e)))
            .GroupBy(x => x.Id)
            .OrderByDescending(g => g.Max(x => x.Event.Sequence));

        foreach (var inbox in inboxes)
        {
            var subscriber = subscribers.Get(inbox.Key);
            var who = subscriber is null ? string.Empty
                : string.Join(" ", new[] { subscriber.FirstName, subscriber.LastName, subscriber.Email, subscriber.Phone }.Where(s => !string.IsNullOrEmpty(s)));
            html.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(inbox.Key)} <span class=\"meta\">{E(who)}</span></h2>");
            foreach (var (_, received) in inbox.OrderByDescending(x => x.Event.Sequence).Take(PerSubscriber))
            {
                AppendDelivery(html, received);
            }

            html.Append("</section>");
        }

        if (events.Count == 0)
        {
            html.Append("<p>Nothing delivered yet.</p>");
        }

        html.Append("</body></html>");
        return html.ToString();
    }

    private static void AppendDelivery(StringBuilder html, ReceivedEvent received)
    {
        html.Append(CultureInfo.InvariantCulture,
            $"<article><div><strong>{E(received.Workflow)}</strong>");
        if (received.Cancelled)
        {
            html.Append("<span class=\"flag\">cancelled</span>");
        }

        if (received.ViaBulk)
        {
            html.Append("<span class=\"flag\">bulk</span>");
        }

        html.Append(CultureInfo.InvariantCulture,
            $"</div><div class=\"meta\">#{received.Sequence} at {E(received.ReceivedAt.ToString("u", CultureInfo.InvariantCulture))}, transactionId {E(received.TransactionId)}</div>");

        if (received.Steps is { } steps)
        {
            foreach (var step in steps)
            {
                html.Append(CultureInfo.InvariantCulture, $"<h3>{E(step.Type)} <span class=\"meta\">{E(step.StepId)}</span>");
                if (step.Skipped)
                {
                    html.Append("<span class=\"flag\">skipped</span></h3>");
                    continue;
                }

                html.Append("</h3>");
                AppendFields(html, step.Content);
            }
        }
        else if (received.Payload?["xnovu"]?["channels"] is JsonObject channels && channels.Count > 0)
        {
            foreach (var (channel, content) in channels)
            {
                html.Append(CultureInfo.InvariantCulture, $"<h3>{E(channel)}</h3>");
                AppendFields(html, content);
            }
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<pre>{E(received.Payload?.ToJsonString(Indented) ?? "(no payload)")}</pre>");
        }

        html.Append("</article>");
    }

    private static void AppendFields(StringBuilder html, JsonNode? content)
    {
        html.Append("<dl>");
        if (content is JsonObject fields)
        {
            // Subject first, then body, then whatever else the channel carries.
            foreach (var (name, value) in fields.OrderBy(f => f.Key switch { "subject" => 0, "title" => 0, "body" => 1, _ => 2 }))
            {
                html.Append(CultureInfo.InvariantCulture, $"<dt>{E(name)}</dt><dd>{E(Text(value))}</dd>");
            }
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<dd>{E(Text(content))}</dd>");
        }

        html.Append("</dl>");
    }

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text)
        ? text
        : node?.ToJsonString(Indented) ?? string.Empty;

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
