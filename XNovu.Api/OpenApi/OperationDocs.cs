namespace XNovu.Api.OpenApi;

/// <summary>
/// The summary and description of every operation, keyed by method and route template. They live here, in one
/// table, rather than on each route mapping so that the endpoint files stay about behaviour; a test fails when
/// an operation of the document has no entry.
/// </summary>
internal static partial class OperationDocs
{
    public static readonly IReadOnlyDictionary<string, (string Summary, string Description)> ByRoute =
        new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
        {
            // Admin: enterprises and keys.
            ["POST api/admin/enterprises"] = ("Create an enterprise", "Creates a tenant. Its API keys are made with `POST /api/admin/enterprises/{id}/api-keys`."),
            ["GET api/admin/enterprises"] = ("List enterprises", "Every enterprise, deactivated ones included."),
            ["GET api/admin/enterprises/{id}"] = ("Get an enterprise", "One enterprise by id."),
            ["POST api/admin/enterprises/{id}/api-keys"] = ("Create an API key", "Creates an enterprise API key. The full key is in this answer only; XNovu keeps a hash of it."),
            ["GET api/admin/enterprises/{id}/api-keys"] = ("List API keys", "The enterprise's keys by name and prefix, never the secret."),
            ["PATCH api/admin/enterprises/{id}"] = ("Rename an enterprise", "Changes its name or description; a field left out is kept."),
            ["POST api/admin/enterprises/{id}/deactivate"] = ("Deactivate an enterprise", "Its keys get 403 enterprise-deactivated, its timed rules pause and its pending deliveries are held, neither sent nor failed."),
            ["POST api/admin/enterprises/{id}/reactivate"] = ("Reactivate an enterprise", "Its keys work again, its rules resume and its held deliveries are sent."),
            ["DELETE api/admin/enterprises/{id}"] = ("Delete an enterprise", "202: the enterprise is gone at once for the API; its rows are removed in short batches in the background."),
            ["PUT api/admin/enterprises/{id}/rule-limits"] = ("Set an enterprise's CRON floor", "The shortest interval its CRON rules may fire at, in seconds; null returns it to the deployment's XNovu:RuleLimits:MinimumCronInterval."),
            ["DELETE api/admin/enterprises/{id}/api-keys/{keyId}"] = ("Revoke an API key", "Revokes a key; every replica refuses it within ten seconds."),
            ["GET api/admin/enterprises/{id}/rate-limit"] = ("Get an enterprise's trigger rate", "The enterprise's trigger rate: its override, or the default."),
            ["PUT api/admin/enterprises/{id}/rate-limit"] = ("Set an enterprise's trigger rate", "Overrides the default triggers per second for one enterprise."),
            ["DELETE api/admin/enterprises/{id}/rate-limit"] = ("Remove an enterprise's rate override", "The enterprise goes back to the default trigger rate."),
            ["GET api/admin/enterprises/{id}/template-defaults"] = ("Get an enterprise's template defaults", "Whether the enterprise's templates see payload keys at the Liquid root (`{{ userName }}`) as well as under `payload`, as the original XNovu rendered them."),
            ["PUT api/admin/enterprises/{id}/template-defaults"] = ("Set an enterprise's template defaults", "Sets `payloadAtRoot` for the enterprise's templates that do not set their own; cached workflows are evicted at once."),
            ["GET api/admin/enterprises/{id}/novu"] = ("Get an enterprise's Novu environment", "`own` with its Novu API URL when the enterprise delivers through its own Novu environment, else `shared`. Says whether a secret key is set; never shows it."),
            ["PUT api/admin/enterprises/{id}/novu"] = ("Give an enterprise its own Novu environment", "Bring your own Novu: the Novu API URL (`https://api.novu.co`, `https://eu.api.novu.co` or a self-hosted one) and the environment's secret key, stored encrypted. The enterprise's workflows are synced there and its deliveries go there, paced on their own; deliveries paused by a refused key are tried again at once."),
            ["DELETE api/admin/enterprises/{id}/novu"] = ("Back to the shared Novu environment", "Forgets the enterprise's own Novu environment and its key; its workflows are synced to the shared environment and its deliveries go there."),

            // Admin: operations.
            ["POST api/admin/novu/sync"] = ("Sync every workflow to Novu now", "Marks every published workflow (and the shipped ones) for sync; the dispatchers create or update their Novu workflows. Answers 202 with the count."),
            ["GET api/admin/operations/template-cache"] = ("Parsed-template cache of every enterprise", "Statistics of the parsed-template cache across enterprises (an enterprise key sees only its own at /api/templates/cache)."),
            ["POST api/admin/operations/retry-failed"] = ("Retry failed deliveries of every enterprise", "Puts every FAILED delivery back to PENDING, across enterprises."),
            ["POST api/admin/operations/clear-template-cache"] = ("Clear every template cache", "Evicts compiled templates in every instance."),
            ["POST api/admin/operations/reload-rules"] = ("Reload the rules of every enterprise", "Asks every dispatcher to reload its timed rules."),

            // Triggers and events.
            ["POST api/trigger"] = ("Trigger a notification", "Stores the notification (one delivery per recipient) before answering 202; the dispatcher renders and sends it. `to` is a subscriber id, a subscriber object, a topic (`{\"type\":\"Topic\",\"topicKey\":...}`) or an array of them: a subscriber object upserts the directory, a subscriber named by id renders with its stored profile, and a topic is expanded into its members (at most 10,000; `recipients` in the answer says how many). Send an `Idempotency-Key` header to make a retry safe: the same key with the same body replays the first answer (with `Idempotency-Replay: true`), with another body it is a 409. Rate limited per enterprise (429 with `Retry-After`). A trigger whose Novu event (the rendered content, the payload fields the workflow passes on, the recipient) would be over Novu's 512 KB is refused with 413 `novu-event-too-large`, naming the channel, and nothing is stored. With `notificationId` it re-sends that stored notification of the key's enterprise instead (idempotent: a FAILED one is queued again, one queued or sent is answered as it is; 404 for another enterprise's, 409 for a cancelled one). The answer keeps the original XNovu's names: `success`, `message`, `workflowId`, `enterpriseId`, `notificationId`, `result`."),
            ["POST api/trigger/bulk"] = ("Trigger up to 1,000 notifications", "Each event is a trigger body, accepted or refused on its own: the answer is 200 with one result per event, at its index, each 202 with ids or a 4xx with a problem (413 `novu-event-too-large` for an event whose Novu event would not fit). An `Idempotency-Key` covers the whole batch."),
            ["POST api/events"] = ("Fire an event", "Runs the enterprise's published EVENT rules whose `eventName` matches; each one triggers its workflow."),

            // Notifications.
            ["GET api/notifications"] = ("List notifications", "The enterprise's notifications, newest first, filtered by status, workflow and creation time (`from` inclusive, `to` exclusive), one page at a time (pass the answer's `nextCursor` as `cursor`)."),
            ["GET api/notifications/{id}"] = ("Get a notification", "One notification with its deliveries, their Novu ids and error details."),
            ["POST api/notifications/{id}/cancel"] = ("Cancel a notification", "Cancels what is not yet sent, and asks Novu to cancel what is scheduled there."),
            ["POST api/notifications/{id}/retry"] = ("Retry a failed notification", "Puts the notification's FAILED deliveries back to PENDING."),
            ["POST api/notifications/retry-failed"] = ("Retry the enterprise's failed deliveries", "Puts every FAILED delivery of the enterprise back to PENDING."),

            // Templates.
            ["POST api/templates"] = ("Create a template", "Stores a Liquid template for one channel as a draft; it is checked (syntax, includes) before it is stored. The original XNovu's include `{{ xnovu_render('key', {...}) }}` is rewritten to `{% xnovu_render \"key\", name: value %}`, and the answer's `notes` say so; `payloadAtRoot` exposes payload keys at the Liquid root (null: the enterprise's default)."),
            ["GET api/templates"] = ("List templates", "The enterprise's templates, optionally by channel, category or state."),
            ["POST api/templates/preview"] = ("Preview a template", "Renders a stored template (by `templateKey`) or a subject and body, with the given payload and subscriber, without sending anything."),
            ["GET api/templates/{templateKey}"] = ("Get a template", "One template by key."),
            ["PUT api/templates/{templateKey}"] = ("Update a template", "Replaces a template's fields; the caches of every instance are evicted."),
            ["POST api/templates/{templateKey}/publish"] = ("Publish a template", "Makes the template the one workflows render."),
            ["POST api/templates/{templateKey}/unpublish"] = ("Unpublish a template", "Puts the template back to draft."),
            ["POST api/templates/{templateKey}/deactivate"] = ("Deactivate a template", "Retires the template; it is kept for history."),
            ["GET api/templates/cache"] = ("Template cache statistics", "Hits, misses and size of this instance's compiled-template cache."),
            ["DELETE api/templates/cache"] = ("Clear the template cache", "Evicts this enterprise's compiled templates in every instance."),

            // Workflows.
            ["GET api/workflows/stats"] = ("Workflow statistics", "How many workflows exist, static (shipped) and dynamic (stored)."),
            ["POST api/workflows"] = ("Create a workflow", "Stores a dynamic workflow as a draft: its channels, the template per channel and an optional JSON Schema that trigger payloads must match, and `novuPayload`: the payload fields (dotted paths, at most 20) that go to Novu beside the rendered content, none by default."),
            ["GET api/workflows"] = ("List workflows", "The shipped static workflows and the enterprise's own."),
            ["GET api/workflows/{workflowKey}"] = ("Get a workflow", "One workflow by key, static or dynamic."),
            ["PUT api/workflows/{workflowKey}"] = ("Update a workflow", "Replaces a dynamic workflow's fields; static workflows are read-only."),
            ["POST api/workflows/{workflowKey}/publish"] = ("Publish a workflow", "Makes the workflow triggerable; its templates must exist."),
            ["POST api/workflows/{workflowKey}/unpublish"] = ("Unpublish a workflow", "Puts the workflow back to draft; triggers for it are refused."),
            ["POST api/workflows/{workflowKey}/deactivate"] = ("Deactivate a workflow", "Retires the workflow; it is kept for history."),

            // Rules.
            ["POST api/rules"] = ("Create a rule", "Stores a CRON, SCHEDULE or EVENT rule that triggers a workflow with its payload, as a draft."),
            ["GET api/rules"] = ("List rules", "The enterprise's rules."),
            ["GET api/rules/{id}"] = ("Get a rule", "One rule by id."),
            ["PUT api/rules/{id}"] = ("Update a rule", "Replaces a rule's fields."),
            ["POST api/rules/{id}/publish"] = ("Publish a rule", "Starts the rule: the dispatchers run it from now on."),
            ["POST api/rules/{id}/unpublish"] = ("Unpublish a rule", "Stops the rule and puts it back to draft."),
            ["POST api/rules/{id}/deactivate"] = ("Deactivate a rule", "Retires the rule; it is kept for history."),

            // Rule engine.
            ["GET api/rule-engine/status"] = ("Rule engine status", "Whether the dispatchers' rule engine runs, and the enterprise's rules it holds."),
            ["POST api/rule-engine/reload"] = ("Reload the enterprise's rules", "Asks the dispatchers to reload this enterprise's rules now."),

            // Categories and priorities.
            ["POST api/categories"] = ("Create a category", "A notification category code, per enterprise."),
            ["GET api/categories"] = ("List categories", "The enterprise's categories by sort order."),
            ["GET api/categories/{code}"] = ("Get a category", "One category by code."),
            ["PUT api/categories/{code}"] = ("Update a category", "Replaces a category's name, description and sort order."),
            ["DELETE api/categories/{code}"] = ("Delete a category", "Deletes a category that nothing refers to (409 otherwise)."),
            ["POST api/priorities"] = ("Create a priority", "A notification priority code, per enterprise."),
            ["GET api/priorities"] = ("List priorities", "The enterprise's priorities by sort order."),
            ["GET api/priorities/{code}"] = ("Get a priority", "One priority by code."),
            ["PUT api/priorities/{code}"] = ("Update a priority", "Replaces a priority's name, description and sort order."),
            ["DELETE api/priorities/{code}"] = ("Delete a priority", "Deletes a priority that nothing refers to (409 otherwise)."),

            // The original XNovu's ids (xnovu import).
            ["PUT api/original-ids"] = ("Map the original's ids", "Records which definition (workflow key, category or priority code, template key, rule id) each id of the original XNovu became, so `original_compat.ent_notification` takes the original's ids; a null key maps an id to nothing, which that relation refuses. Up to 1,000 per call; re-sending the same map writes nothing."),

            // Subscribers and topics.
            ["GET api/subscribers"] = ("List subscribers", "The enterprise's subscriber directory by subscriber id; `search` matches the id, e-mail, phone and names; one page at a time (pass `nextCursor` as `cursor`)."),
            ["POST api/subscribers"] = ("Create or update a subscriber", "Upserts a profile as Novu does: given fields win, absent ones keep their stored value. 201 when created, 200 when updated; the profile is then upserted in Novu (`XNovu-Novu-Sync` says how that went)."),
            ["POST api/subscribers/bulk"] = ("Create or update up to 500 subscribers", "Upserts every profile in one transaction, or none when one is invalid (the problem names it)."),
            ["GET api/subscribers/{subscriberId}"] = ("Get a subscriber", "One stored profile: what `{{ subscriber.* }}` sees when a trigger names the subscriber by id."),
            ["PUT api/subscribers/{subscriberId}"] = ("Replace a subscriber", "Stores the whole profile (absent fields are cleared), creating it if need be, and upserts it in Novu."),
            ["PATCH api/subscribers/{subscriberId}"] = ("Update a subscriber", "Changes the fields given, keeps the others, and upserts the profile in Novu."),
            ["DELETE api/subscribers/{subscriberId}"] = ("Delete a subscriber", "Deletes the profile and its topic memberships here, and the subscriber in Novu. Past deliveries are kept; `erase` scrubs them."),
            ["GET api/subscribers/{subscriberId}/export"] = ("Export a subscriber's data", "Everything stored about the subscriber: the profile, its topics, and its deliveries with their payloads (a data-protection access request)."),
            ["POST api/subscribers/{subscriberId}/erase"] = ("Erase a subscriber", "Deletes the profile, its memberships and the Novu subscriber, and removes its personal fields from past deliveries, which keep only the subscriber id."),
            ["POST api/topics"] = ("Create a topic", "A topic is an audience: a trigger whose `to` holds `{\"type\":\"Topic\",\"topicKey\":...}` reaches each member once."),
            ["GET api/topics"] = ("List topics", "The enterprise's topics with their member counts, one page at a time."),
            ["GET api/topics/{topicKey}"] = ("Get a topic", "One topic and its member count."),
            ["DELETE api/topics/{topicKey}"] = ("Delete a topic", "Deletes the topic and its memberships; the subscribers stay."),
            ["POST api/topics/{topicKey}/subscribers"] = ("Add subscribers to a topic", "Adds up to 1,000 subscriber ids; an id the directory does not know is created with its id only."),
            ["POST api/topics/{topicKey}/subscribers/removal"] = ("Remove subscribers from a topic", "Removes up to 1,000 subscriber ids from the topic, as Novu's removal route does."),
            ["DELETE api/topics/{topicKey}/subscribers/{subscriberId}"] = ("Remove a subscriber from a topic", "Removes one member."),
            ["GET api/topics/{topicKey}/subscribers"] = ("List a topic's members", "The topic's subscriber ids, one page at a time."),

            // Open operations.
            ["GET api/health"] = ("System health", "PostgreSQL, Redis, Novu and the dispatchers: 200 when healthy or degraded, 503 when unhealthy. Each Novu environment's key is verified with an authenticated call that changes nothing (checks kept 10 s): a wrong shared key is unhealthy, a wrong key of an enterprise's own environment is unhealthy for that environment and degrades the whole. No key is needed; with the admin key the answer also lists each enterprise's own environment (`novuEnvironments`)."),
            ["GET api/metrics"] = ("Operations metrics (admin key)", "Backlog and delivery counts of the whole system as JSON (Prometheus text is at `/metrics`). Takes the admin key: the counts span every enterprise."),
            ["GET api/dev-studio-status"] = ("Novu connection status", "Whether the shared Novu answers and accepts XNovu's key (`credentials`: authorized, unauthorized, unreachable), which Novu it is; with the admin key, the same for each enterprise's own environment (`environments`)."),
        };

    /// <summary>"GET api/rules/{id}" for GET /api/rules/{id:long}: route constraints are not part of the key.</summary>
    public static string Key(string method, string? relativePath) =>
        $"{method.ToUpperInvariant()} {Constraint().Replace((relativePath ?? string.Empty).Trim('/'), "}")}";

    [System.Text.RegularExpressions.GeneratedRegex(":[^}]*}")]
    private static partial System.Text.RegularExpressions.Regex Constraint();
}
