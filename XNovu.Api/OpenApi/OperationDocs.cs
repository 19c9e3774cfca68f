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
            ["GET api/admin/enterprises/{id}/retention"] = ("Get an enterprise's retention", "The enterprise's own retention in days (null: the deployment's XNovu:Retention:MaxAge) and the longest it may set (`maxRetentionDays`)."),
            ["PUT api/admin/enterprises/{id}/retention"] = ("Set an enterprise's retention", "Keeps the enterprise's history shorter than the deployment's: `retentionDays` from 1 to the deployment's days, or null for the deployment's. Its finished notifications past it are hidden from its reads at once and deleted, with their deliveries, events and transaction keys, by the dispatchers' next retention pass; unfinished ones stay whatever their age. Not a whole number: 400; out of range: 422; nothing is written."),
            ["DELETE api/admin/enterprises/{id}/api-keys/{keyId}"] = ("Revoke an API key", "Revokes a key; every replica refuses it within ten seconds."),
            ["GET api/admin/enterprises/{id}/rate-limit"] = ("Get an enterprise's trigger rate", "The enterprise's trigger rate: its override, or the default."),
            ["PUT api/admin/enterprises/{id}/rate-limit"] = ("Set an enterprise's trigger rate", "Overrides the default triggers per second for one enterprise."),
            ["DELETE api/admin/enterprises/{id}/rate-limit"] = ("Remove an enterprise's rate override", "The enterprise goes back to the default trigger rate."),
            ["GET api/admin/enterprises/{id}/template-defaults"] = ("Get an enterprise's template defaults", "Whether the enterprise's templates see payload keys at the Liquid root (`{{ userName }}`) as well as under `payload`, as the original XNovu rendered them."),
            ["PUT api/admin/enterprises/{id}/template-defaults"] = ("Set an enterprise's template defaults", "Sets `payloadAtRoot` for the enterprise's templates that do not set their own; cached workflows are evicted at once."),
            ["GET api/admin/enterprises/{id}/novu"] = ("Get an enterprise's Novu environment", "`own` with its Novu API URL when the enterprise delivers through its own Novu environment, else `shared`. Says whether a secret key is set; never shows it."),
            ["PUT api/admin/enterprises/{id}/novu"] = ("Give an enterprise its own Novu environment", "Bring your own Novu: the Novu API URL (`https://api.novu.co`, `https://eu.api.novu.co` or a self-hosted one) and the environment's secret key, stored encrypted. The enterprise's workflows are synced there and its deliveries go there, paced on their own; deliveries paused by a refused key are tried again at once."),
            ["DELETE api/admin/enterprises/{id}/novu"] = ("Back to the shared Novu environment", "Forgets the enterprise's own Novu environment and its key; its workflows are synced to the shared environment and its deliveries go there."),

            ["PUT api/admin/enterprises/{id}/novu/webhook-secret"] = ("Set the signing secret of an enterprise's Novu webhooks", "The `whsec_` secret Novu shows for the webhook endpoint of the enterprise's own environment (pointed at `/novu/webhooks/{enterpriseId}`), stored encrypted. 404 when the enterprise has no own environment."),
            ["DELETE api/admin/enterprises/{id}/novu/webhook-secret"] = ("Forget the signing secret of an enterprise's Novu webhooks", "Its Novu environment's webhooks are refused from now on."),
            ["PUT api/admin/enterprises/{id}/webhooks"] = ("Let an enterprise's webhooks call private addresses", "`allowPrivateAddresses: true` lets the enterprise's endpoints be loopback, private or link-local addresses; false (the default) refuses them at registration and at every send."),

            // Webhooks (issue 28).
            ["POST api/webhooks/endpoints"] = ("Register a webhook endpoint", "An https (or http) URL and the event types it receives. The answer carries the endpoint's `secret` (`whsec_...`): every request is signed with it (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`)."),
            ["GET api/webhooks/endpoints"] = ("List webhook endpoints", "The enterprise's endpoints, with whether each is enabled, why it was disabled and since when it fails."),
            ["GET api/webhooks/endpoints/{id}"] = ("Get a webhook endpoint", "One endpoint, without its secret."),
            ["PATCH api/webhooks/endpoints/{id}"] = ("Change a webhook endpoint", "Its URL, event types, description or `enabled`; enabling clears a disablement (410, failing too long, by hand)."),
            ["DELETE api/webhooks/endpoints/{id}"] = ("Delete a webhook endpoint", "Removes it with its messages and attempts."),
            ["GET api/webhooks/endpoints/{id}/secret"] = ("Get a webhook endpoint's secret", "The current signing secret, and until when the previous one still signs beside it."),
            ["POST api/webhooks/endpoints/{id}/rotate-secret"] = ("Rotate a webhook endpoint's secret", "A new secret signs from now on; the old one keeps signing beside it for the overlap (24 h by default), so receivers can switch without losing a webhook."),
            ["GET api/webhooks/endpoints/{id}/messages"] = ("List a webhook endpoint's messages", "What was queued for the endpoint, newest first, optionally by status (pending, delivered, failed)."),
            ["GET api/webhooks/endpoints/{id}/attempts"] = ("List a webhook endpoint's attempts", "Every attempt, newest first: when, the answer's status, how long it took, the error or the answer's first bytes."),
            ["POST api/webhooks/endpoints/{id}/messages/{messageId}/replay"] = ("Replay a webhook message", "Sends the message again under its own webhook-id, the schedule from its start."),
            ["POST api/webhooks/endpoints/{id}/replay"] = ("Replay a range of webhook messages", "Sends again the endpoint's messages created in [since, until) (failed ones only unless `onlyFailed` is false), at most 10,000."),

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
            ["POST api/notifications/{id}/retry"] = ("Retry a failed notification", "Puts the notification's FAILED deliveries back to PENDING. They render with the versions and locale of their first render, or with the live ones when `versions=latest`."),

            // Issue 30: versions, localization, layouts, the audit trail.
            ["GET api/audit"] = ("Read the audit trail", "Every write of the enterprise's definitions through the API, newest first: who (`api-key:<id>` or `admin`), the route, the entity and the fields changed. Filtered by entity and time, paged by `before`."),
            ["GET api/admin/audit"] = ("Read every enterprise's audit trail", "The audit trail across enterprises, or one enterprise's with `enterpriseId`."),
            ["GET api/templates/{templateKey}/versions"] = ("List a template's versions", "Every published version, newest first, with its author and time; `live` marks the one being sent."),
            ["GET api/templates/{templateKey}/versions/diff"] = ("Diff two template versions", "The fields that changed from `from` to `to`, each as lines marked same, removed or added."),
            ["GET api/templates/{templateKey}/versions/{version}"] = ("Get a template version", "One published version of the template."),
            ["POST api/templates/{templateKey}/versions/{version}/rollback"] = ("Roll a template back", "Publishes a new version with that version's content, and makes the draft that content too."),
            ["GET api/workflows/{workflowKey}/versions"] = ("List a workflow's versions", "The workflow's definition as each publish left it, newest first."),
            ["GET api/workflows/{workflowKey}/versions/diff"] = ("Diff two workflow versions", "The definition's fields that changed from `from` to `to`, line by line."),
            ["GET api/workflows/{workflowKey}/versions/{version}"] = ("Get a workflow version", "The workflow's definition as one publish left it."),
            ["POST api/workflows/{workflowKey}/versions/{version}/rollback"] = ("Roll a workflow back", "Writes that version's definition back, publishes it and records it as a new version; refused (422) when that definition could not be sent today."),
            ["GET api/localization"] = ("Get the default locale", "The enterprise's default locale: the last step of a subscriber's fallback chain before a template's own text."),
            ["PUT api/localization"] = ("Set the default locale", "Sets the enterprise's default locale (`en`, `en-GB` or `en_GB`); null removes it."),
            ["GET api/translations"] = ("List translation catalogs", "The enterprise's catalogs: locale, number of texts, last change."),
            ["GET api/translations/{locale}"] = ("Get a translation catalog", "One locale's catalog, which the `t` filter reads."),
            ["PUT api/translations/{locale}"] = ("Store a translation catalog", "Creates or replaces one locale's catalog: nested objects of texts, and plural forms by CLDR category (`one`, `few`, `other`...)."),
            ["DELETE api/translations/{locale}"] = ("Delete a translation catalog", "Removes one locale's catalog."),
            ["POST api/layouts"] = ("Create an email layout", "A header and footer (Liquid) and branding (logo URL, colours, sender name) that email templates name with `layoutKey`; a draft until published."),
            ["GET api/layouts"] = ("List email layouts", "The enterprise's layouts."),
            ["GET api/layouts/{layoutKey}"] = ("Get an email layout", "One layout's draft and its live version number."),
            ["PUT api/layouts/{layoutKey}"] = ("Update an email layout", "Replaces the draft; emails change when it is published."),
            ["POST api/layouts/{layoutKey}/publish"] = ("Publish an email layout", "Copies the draft into the next version and makes it the one emails are rendered inside."),
            ["GET api/layouts/{layoutKey}/versions"] = ("List a layout's versions", "Every published version, newest first, with its author and time."),
            ["POST api/layouts/{layoutKey}/versions/{version}/rollback"] = ("Roll a layout back", "Publishes a new version with that version's content."),
            ["POST api/layouts/{layoutKey}/preview"] = ("Preview an email layout", "Renders the layout's draft around a sample body, as an email is rendered."),
            ["POST api/notifications/retry-failed"] = ("Retry the enterprise's failed deliveries", "Puts every FAILED delivery of the enterprise back to PENDING."),

            // Templates.
            ["POST api/templates"] = ("Create a template", "Stores a Liquid template for one channel as a draft; it is checked (syntax, includes) before it is stored. The original XNovu's include `{{ xnovu_render('key', {...}) }}` is rewritten to `{% xnovu_render \"key\", name: value %}`, and the answer's `notes` say so; `payloadAtRoot` exposes payload keys at the Liquid root (null: the enterprise's default)."),
            ["GET api/templates"] = ("List templates", "The enterprise's templates, optionally by channel, category or state."),
            ["POST api/templates/preview"] = ("Preview a template", "Renders a stored template (by `templateKey`) or a subject and body, with the given payload and subscriber, without sending anything."),
            ["GET api/templates/{templateKey}"] = ("Get a template", "One template by key."),
            ["PUT api/templates/{templateKey}"] = ("Update a template", "Replaces the draft's fields (`locales` holds per-locale variants, `layoutKey` an email layout); what is sent changes only when the draft is published."),
            ["POST api/templates/{templateKey}/publish"] = ("Publish a template", "Copies the draft into the next immutable version and makes it the one workflows render. 422 listing the keys when a locale the template claims lacks translation keys it uses."),
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
            ["GET api/subscribers/{subscriberId}/preferences"] = ("Get a subscriber's preferences", "Novu's shape (`/v2/subscribers/{id}/preferences`): the global preference and each workflow's channels as the dispatcher will decide them, with the source that decided each (`sources`). `criticality`: nonCritical (default), critical or all."),
            ["PATCH api/subscribers/{subscriberId}/preferences"] = ("Update a subscriber's preferences", "Novu's shape: `channels` (email, sms, in_app, push, chat to true or false) for the workflow named by `workflowId`, or globally without it. Channels left out keep their value. Answers the preferences as GET does."),
            ["PATCH api/subscribers/{subscriberId}/preferences/bulk"] = ("Update up to 100 workflow preferences", "Novu's shape: `preferences`, each a `workflowId` and its `channels`, all stored in one transaction or none."),
            ["GET api/preferences/defaults"] = ("List the enterprise's preference defaults", "The defaults per workflow and per category, each with its channels and whether it is forced (above every subscriber choice)."),
            ["PUT api/preferences/defaults/workflows/{workflowKey}"] = ("Set a workflow's default", "The enterprise's default channels for one workflow; `forced` puts them above subscribers' choices."),
            ["PUT api/preferences/defaults/categories/{categoryCode}"] = ("Set a category's default", "The enterprise's default channels for the workflows of one category; `forced` puts them above subscribers' choices."),
            ["DELETE api/preferences/defaults/workflows/{workflowKey}"] = ("Remove a workflow's default", "Subscribers' choices and the other defaults decide again."),
            ["DELETE api/preferences/defaults/categories/{categoryCode}"] = ("Remove a category's default", "Subscribers' choices and the other defaults decide again."),
            ["GET api/workflows/{workflowKey}/preferences"] = ("Get a workflow's preference settings", "The workflow's own defaults in Novu's shape (`all.readOnly`, `channels`), and whether it is critical (no preference silences it)."),
            ["PUT api/workflows/{workflowKey}/preferences"] = ("Set a workflow's preference settings", "Replaces the workflow's own defaults (Novu's `preferences` block; `all.readOnly` drops subscribers' choices) and `critical`."),
            ["GET api/workflows/{workflowKey}/digest"] = ("Get a workflow's digest", "The workflow's digest setting in the shape of Novu's digest step controls (404 when it has none)."),
            ["PUT api/workflows/{workflowKey}/digest"] = ("Set a workflow's digest", "`type` regular (`amount` + `unit`, optional `lookBackWindow`) or timed (`cron`, in the subscriber's time zone); `digestKey` a payload path (nested allowed) that splits digests; `maxEvents` (default 100) caps one digest. Deliveries are grouped per subscriber and key value and sent as one Novu event whose templates see `digest.events` (`id`, `time`, `payload`) and `digest.eventCount`."),
            ["DELETE api/workflows/{workflowKey}/digest"] = ("Remove a workflow's digest", "New deliveries are sent one by one; buckets already open are sent when due."),
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
