// Over 300 lines on purpose: a batch's whole way from claim to outcome (resolve, sync check, render, send,
// decide) and the rule that every exception is one delivery's outcome are easier to audit in one file.
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using XNovu.Core.Definitions;
using XNovu.Core.Localization;
using XNovu.Core.Novu;
using XNovu.Core.Preferences;
using XNovu.Core.Telemetry;
using XNovu.Core.Templates;
using XNovu.Dispatcher.Digests;
using XNovu.Dispatcher.NovuSync;
using XNovu.Dispatcher.Subscribers;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// Turns a claimed batch into Novu triggers and their results: resolves each workflow once per batch,
/// renders every channel per recipient, sends everything sendable in bulk calls (the client splits them
/// into calls of 100), and decides each delivery's fate. Each event names the workflow's Novu identifier (made
/// sure to exist before the first send), the enterprise as <c>tenant</c>, and the subscriber under its Novu
/// id (<see cref="NovuNames.SubscriberId"/>). The event itself is <see cref="NovuEvents.Build"/>'s: the rendered
/// content under <c>xnovu</c> and the payload fields the workflow passes on. An event over Novu's 512 KB limit
/// fails at once, naming the channel, without calling Novu.
/// Each enterprise's deliveries go to its Novu environment (<see cref="NovuEnvironments"/>): its own when it has
/// one, else the shared one. When Novu refuses XNovu's credentials (401, 403) that environment is paused: its
/// deliveries stay PENDING without spending an attempt, until the credentials change or the pause ends.
/// Each enterprise's part of a batch is rendered and sent on its own, side by side, and an enterprise whose
/// templates have used their share of this process's rendering (<see cref="EnterpriseRenderShare"/>) has its
/// deliveries put back the same way: one tenant's slow templates never hold another tenant's send.
/// </summary>
public sealed partial class DeliveryProcessor(
    WorkflowDefinitionCache workflows,
    ITemplateEngine templates,
    NovuEnvironments environments,
    NovuWorkflowSync novuWorkflows,
    EnterpriseNames enterprises,
    SubscriberProfileStore profiles,
    RenderingStore renderings,
    PreferenceSnapshotStore preferences,
    DigestStore digests,
    UnsubscribeLinks unsubscribe,
    RetryPolicy retryPolicy,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<DeliveryProcessor> logger)
{
    private const int NovuBulkSize = 100;
    private static readonly TimeSpan MinimumDeferral = TimeSpan.FromSeconds(2);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private int _slowParts;

    /// <summary>
    /// Processes a claimed batch. Each enterprise's part that has not finished after
    /// <see cref="DispatcherOptions.SlowPartAfter"/> is handed back unfinished in <see cref="BatchOutcome.SlowParts"/>
    /// (at most <see cref="DispatcherOptions.MaxSlowParts"/> at once per replica): the caller records the rest at
    /// once and each slow part's results when it ends, so one tenant's slow templates never hold the claim loop.
    /// </summary>
    public async Task<BatchOutcome> ProcessAsync(IReadOnlyList<ClaimedDelivery> batch, CancellationToken cancellationToken)
    {
        // A batch from one trigger joins that trigger's trace, so one trace runs from the API request through
        // the claim and render to the Novu call; a batch mixing triggers links to each of them instead.
        var parents = batch.Select(d => d.TraceParent).Distinct().Select(ParseContext).OfType<ActivityContext>().ToList();
        using var activity = parents.Count == 1
            ? XNovuTelemetry.Activities.StartActivity("xnovu.dispatch", ActivityKind.Internal, parents[0])
            : XNovuTelemetry.Activities.StartActivity("xnovu.dispatch", ActivityKind.Internal, default(ActivityContext), links: parents.Select(p => new ActivityLink(p)));
        activity?.SetTag("xnovu.batch.size", batch.Count);

        IReadOnlyDictionary<(Guid, string), NovuSubscriber> stored;
        var environmentOf = new Dictionary<Guid, NovuEnvironment>();
        var nameOf = new Dictionary<Guid, string?>();
        var preferencesOf = new Dictionary<Guid, PreferenceSnapshot>();
        try
        {
            stored = await profiles.LoadAsync(batch, cancellationToken);
            foreach (var part in batch.GroupBy(d => d.EnterpriseId))
            {
                environmentOf[part.Key] = await environments.ForEnterpriseAsync(part.Key, cancellationToken);
                nameOf[part.Key] = await enterprises.GetAsync(part.Key, cancellationToken);
                // Read now, at dispatch, in one round trip per enterprise of the batch: a preference changed after
                // the trigger was accepted counts.
                preferencesOf[part.Key] = await preferences.LoadAsync(
                    part.Key, part.Select(d => d.WorkflowKey).ToList(), part.Select(d => d.SubscriberId).OfType<string>().ToList(), cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without the stored profiles the content would render without them: send the batch later instead.
            LogProfilesFailed(logger, e);
            return new BatchOutcome(batch.Select(d => Decide(d, new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = "Subscriber profiles could not be read." })).ToList(), []);
        }

        // Each enterprise's part of the batch is rendered and sent on its own, side by side: one enterprise's slow
        // templates (up to the render timeout each, and at most its share of the process's rendering) hold up only
        // its own deliveries, never another's send. The parts depend only on the claim's members, so a re-sent
        // claim makes the same Novu calls under the same Idempotency-Keys.
        // A part still running after SlowPartAfter is left to finish on its own (see ProcessAsync).
        var parts = batch.GroupBy(d => d.EnterpriseId)
            .Select(part => Task.Run(() => RenderAndSendAsync(part.ToList(), stored, environmentOf, nameOf, preferencesOf[part.Key], cancellationToken), cancellationToken))
            .ToList();
        var all = Task.WhenAll(parts);
        using (var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await Task.WhenAny(all, Task.Delay(options.Value.SlowPartAfter, time, patience.Token));
            await patience.CancelAsync();
        }

        var slow = parts.Where(part => !part.IsCompleted).ToList();
        if (slow.Count > 0 && Interlocked.Add(ref _slowParts, slow.Count) > options.Value.MaxSlowParts)
        {
            // Too many parts already finish on their own: this loop waits for its batch, as it did before.
            Interlocked.Add(ref _slowParts, -slow.Count);
            slow = [];
            await all;
        }

        foreach (var part in slow)
        {
            XNovuTelemetry.DispatchSlowParts.Add(1);
            _ = part.ContinueWith(_ => Interlocked.Decrement(ref _slowParts), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        // Awaited, not .Result: a part's exception (cancellation at shutdown) reaches the loop as itself, unwrapped.
        var finished = new List<DeliveryResult>(batch.Count);
        foreach (var part in parts.Except(slow))
        {
            finished.AddRange(await part);
        }

        return new BatchOutcome(finished, slow);
    }

    private async Task<IReadOnlyList<DeliveryResult>> RenderAndSendAsync(
        IReadOnlyList<ClaimedDelivery> batch,
        IReadOnlyDictionary<(Guid, string), NovuSubscriber> stored,
        Dictionary<Guid, NovuEnvironment> environmentOf,
        Dictionary<Guid, string?> nameOf,
        PreferenceSnapshot preferenceRows,
        CancellationToken cancellationToken)
    {
        var results = new List<DeliveryResult>(batch.Count);
        var toSend = new List<(ClaimedDelivery Delivery, TriggerRequest Request, SkippedChannels? Skipped)>(batch.Count);
        var resolved = new Dictionary<(Guid, string), Task<ResolvedWorkflow?>>();

        // The locale and versions each delivery renders with, read for the whole part at once (issue 30).
        var renderedAs = new Dictionary<long, DeliveryRendering>(batch.Count);
        PartRendering part;
        try
        {
            part = await renderings.LoadAsync(batch[0].EnterpriseId, batch, batch.Select(d => LocaleOf(d, stored)), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return batch.Select(d => Outcome(d, e)).ToList();
        }

        // Deliveries of digest workflows join their bucket, or send or close it when it is due: one round trip for
        // the part. When the buckets cannot be reached, those deliveries are retried and the others go on.
        var digestItems = DigestItems(batch, preferenceRows, stored);
        IReadOnlyDictionary<long, DigestDecision> digestOf = new Dictionary<long, DigestDecision>();
        try
        {
            digestOf = await digests.StepAsync(batch[0].EnterpriseId, digestItems, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogDigestFailed(logger, e);
            var waiting = digestItems.Select(i => i.DeliveryId).ToHashSet();
            results.AddRange(batch.Where(d => waiting.Contains(d.DeliveryId)).Select(d => Decide(d, new NovuOutcome
            {
                Kind = NovuOutcomeKind.Retryable,
                Message = $"The digest buckets could not be reached ({e.GetType().Name}).",
            })));
            batch = batch.Where(d => !waiting.Contains(d.DeliveryId)).ToList();
        }

        // Delivery order makes the bulk body, and so its Idempotency-Key, the same when a claim is re-sent.
        // Whatever goes wrong with one delivery (any exception, out-of-memory from a template included) is that
        // delivery's outcome: it never escapes the batch, and the rest of the batch is sent.
        foreach (var delivery in batch.OrderBy(d => d.DeliveryId))
        {
            var key = (delivery.EnterpriseId, delivery.WorkflowKey);
            if (!resolved.TryGetValue(key, out var lookup))
            {
                // One lookup per workflow and batch, its failure included: a database that does not answer is
                // asked once per batch, not once per delivery.
                resolved[key] = lookup = ResolveAsync(delivery, environmentOf[delivery.EnterpriseId], cancellationToken);
            }

            JsonElement? digestVariables = null;
            if (digestOf.TryGetValue(delivery.DeliveryId, out var digest))
            {
                if (digest.Action == DigestDecision.Wait)
                {
                    results.Add(new DeliveryResult(delivery.DeliveryId, "digest", digest.FlushAt, null, null));
                    continue;
                }

                if (digest.Action == DigestDecision.SenderFailed)
                {
                    results.Add(Fail(delivery, $"The digest holding this event was not sent: the delivery sending bucket {digest.BucketId} ended without sending it."));
                    continue;
                }

                if (digest.Action == DigestDecision.Digested)
                {
                    XNovuTelemetry.DeliveriesSent.Add(1);
                    results.Add(new DeliveryResult(delivery.DeliveryId, "digested", null, null, null));
                    continue;
                }

                digestVariables = digest.Variables();
            }

            try
            {
                var workflow = await lookup;
                var (request, skipped) = await BuildAsync(
                    delivery, workflow, stored, nameOf[delivery.EnterpriseId], part, renderedAs, preferenceRows, digestVariables, cancellationToken);
                toSend.Add((delivery, request, skipped));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // every exception type is this one delivery's outcome, by design
            catch (Exception e)
#pragma warning restore CA1031
            {
                results.Add(Outcome(delivery, e));
            }
        }

        // One group per Novu environment, each with its own client and pacing, sent side by side: an environment
        // that is slow, down or refusing XNovu's key holds up only its own deliveries.
        var groups = toSend.GroupBy(s => environmentOf[s.Delivery.EnterpriseId]).ToList();
        var sent = await Task.WhenAll(groups.Select(async group =>
        {
            var members = group.ToList();
            var environment = group.Key;
            var outcomes = environment.Client is { } novu && !environment.IsPaused(time.GetUtcNow())
                ? await SendAsync(novu, members.Select(s => s.Request).ToList(), cancellationToken)
                : members.Select(_ => Refused(environment)).ToList();
            if (outcomes.Any(o => o.CredentialsRefused))
            {
                PauseEnvironment(environment, outcomes.First(o => o.CredentialsRefused).HttpStatus);
            }

            return (Environment: environment, Members: members, Outcomes: outcomes);
        }));
        foreach (var (environment, members, outcomes) in sent)
        {
            for (var i = 0; i < members.Count; i++)
            {
                var (delivery, _, skipped) = members[i];
                if (outcomes[i].CredentialsRefused || environment.Client is null)
                {
                    results.Add(Paused(delivery, environment, outcomes[i].HttpStatus));
                    continue;
                }

                var isStatic = (await resolved[(delivery.EnterpriseId, delivery.WorkflowKey)])!.IsStatic;
                results.Add(Decide(delivery, await novuWorkflows.ReviewAsync(
                    environment, delivery.EnterpriseId, isStatic, delivery.WorkflowKey, outcomes[i], cancellationToken)) with { Skipped = skipped });
            }
        }

        // Each rendered delivery keeps how it was rendered; complete_deliveries stores it on the first render only.
        return results.Select(r => renderedAs.TryGetValue(r.Id, out var how) ? r with { Rendering = how } : r).ToList();
    }

    /// <summary>The subscriber's locale as the render will see it, for loading catalogs; null when the recipient cannot be read.</summary>
    private string? LocaleOf(ClaimedDelivery delivery, IReadOnlyDictionary<(Guid, string), NovuSubscriber> stored)
    {
        try
        {
            return Subscriber(delivery) is { } inline
                ? NovuEvents.MergeSubscriber(stored.GetValueOrDefault((delivery.EnterpriseId, inline.SubscriberId)), inline).Locale
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What a send to an environment already known to refuse XNovu's credentials would answer, without sending.</summary>
    private static NovuOutcome Refused(NovuEnvironment environment) =>
        new() { Kind = NovuOutcomeKind.Terminal, HttpStatus = environment.Client is null ? null : StatusCodes.Status401Unauthorized, Message = environment.Problem };

    private void PauseEnvironment(NovuEnvironment environment, int? httpStatus)
    {
        if (!environment.IsPaused(time.GetUtcNow()))
        {
            var until = time.GetUtcNow() + options.Value.CredentialsPause;
            environment.Pause(until);
            LogEnvironmentPaused(logger, environment.Name, httpStatus, until);
        }
    }

    /// <summary>
    /// Held, not failed: PENDING again when the pause ends (or at once when the credentials change, which
    /// <c>notify.enterprise_novu_changed</c> does), and the attempt the claim counted is given back.
    /// </summary>
    private DeliveryResult Paused(ClaimedDelivery delivery, NovuEnvironment environment, int? httpStatus)
    {
        var now = time.GetUtcNow();
        var until = environment.PausedUntil is { } pausedUntil && pausedUntil > now ? pausedUntil : now + options.Value.CredentialsPause;
        var why = environment.Problem ?? $"Novu refused XNovu's credentials{(httpStatus is { } status ? $" (HTTP {status})" : string.Empty)}";
        var where = environment.IsShared ? "the shared Novu environment" : "the enterprise's own Novu environment";
        return new DeliveryResult(delivery.DeliveryId, "paused", until, null, new DeliveryError(
            $"Paused: {why} for {where}. Tried again when its credentials change, or at {until:u}.",
            httpStatus, null, Math.Max(delivery.Attempts - 1, 0), now));
    }

    /// <summary>
    /// Put back, not failed: the enterprise's templates have used their share of this dispatcher's rendering
    /// (<see cref="EnterpriseRenderShare"/>), so the delivery waits until the share has refilled and the attempt the
    /// claim counted is given back. Other enterprises' deliveries in the batch go on.
    /// </summary>
    private DeliveryResult Deferred(ClaimedDelivery delivery, RenderThrottledException throttled)
    {
        var now = time.GetUtcNow();
        XNovuTelemetry.DeliveriesDeferred.Add(1, XNovuTelemetry.Outcome("render-share"));
        // Not back the moment the share turns positive: a backlog of deferred deliveries would otherwise be claimed
        // and put back over and over, ahead of other enterprises' new deliveries in the claim's order. Spread, so
        // a batch put back together does not come back together.
        var wait = TimeSpan.FromTicks(Math.Max(throttled.RetryAfter.Ticks, MinimumDeferral.Ticks)) * (1 + (Random.Shared.NextDouble() / 2));
        return new DeliveryResult(delivery.DeliveryId, "paused", now + wait, null, new DeliveryError(
            $"Deferred: {throttled.Message}", null, null, Math.Max(delivery.Attempts - 1, 0), now));
    }

    private async Task<ResolvedWorkflow?> ResolveAsync(ClaimedDelivery delivery, NovuEnvironment environment, CancellationToken cancellationToken)
    {
        ResolvedWorkflow? workflow;
        try
        {
            workflow = await workflows.GetAsync(delivery.EnterpriseId, delivery.WorkflowKey, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogResolveFailed(logger, e, delivery.WorkflowKey);
            throw new WorkflowUnreadableException($"Workflow '{delivery.WorkflowKey}' could not be read ({e.GetType().Name}).", e);
        }

        if (workflow is { CanSend: true } && environment.Client is not null && !environment.IsPaused(time.GetUtcNow()))
        {
            // A trigger may come before the workflow's sync: make sure Novu has it, once per process. Until it
            // does, the deliveries wait (retryable), they do not fail.
            SyncResult ready;
            try
            {
                ready = await novuWorkflows.SyncAsync(
                    workflow.IsStatic ? null : delivery.EnterpriseId, workflow.WorkflowKey, SyncMode.EnsureExists, cancellationToken, environment);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                ready = new SyncResult(false, null, $"{e.GetType().Name} while syncing.");
            }

            if (ready.CredentialsRejected)
            {
                // The send would be refused the same way: it is skipped, and the deliveries are paused.
                PauseEnvironment(environment, StatusCodes.Status401Unauthorized);
            }
            else if (!ready.Succeeded)
            {
                throw new NovuWorkflowNotReadyException($"The Novu workflow is not synced yet. {ready.Error}", ready.RetryAfter);
            }
        }

        return workflow;
    }

    /// <summary>
    /// One delivery's failure before Novu was called. Retried, within the attempt budget, only where another
    /// attempt can succeed (the definition or an included template could not be read); anything in the
    /// notification itself (its recipient, its payload, its templates) fails the same way every time.
    /// </summary>
    private DeliveryResult Outcome(ClaimedDelivery delivery, Exception e) => e switch
    {
        WorkflowUnreadableException or System.Data.Common.DbException or TimeoutException or IOException or HttpRequestException =>
            Decide(delivery, new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = e is WorkflowUnreadableException ? e.Message : $"A definition could not be read ({e.GetType().Name})." }),
        NovuWorkflowNotReadyException notReady =>
            Decide(delivery, new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = notReady.Message, RetryAfter = notReady.RetryAfter }),
        DeliveryRejectedException => Fail(delivery, e.Message),
        DeliverySilencedException silenced => Skipped(delivery, silenced.Channels),
        RenderThrottledException throttled => Deferred(delivery, throttled),
        TemplateRenderException render => Fail(delivery, $"Rendering failed: {render.Message}"),
        JsonException json => Fail(delivery, json.Path is { Length: > 0 } path
            ? $"The notification's recipient or payload is invalid: the value at '{path}' is of the wrong type or malformed."
            : "The notification's recipient or payload is not valid JSON."),
        OutOfMemoryException => Fail(delivery, "Rendering ran out of memory: a template produces more output than the dispatcher can hold."),
        InsufficientExecutionStackException => Fail(delivery, "Rendering nested too deeply: a template recurses past the dispatcher's stack."),
        OperationCanceledException => Fail(delivery, "Rendering took too long and was stopped."),
        _ => Fail(delivery, $"The delivery could not be prepared: unexpected {e.GetType().Name}.", e),
    };

    /// <summary>
    /// Novu charges a bulk call 100 tokens of the plan's rate whatever its size, and a single trigger one, so a
    /// full claim goes as one bulk call (one HTTP round trip for 100 events at the same cost) and a smaller one
    /// as single triggers in parallel. The choice depends only on the claim's members, so a taken-over claim
    /// is re-sent the same way under the same Idempotency-Keys (the bulk call's, derived from its members, or
    /// each trigger's, its transactionId) and Novu replays instead of delivering twice.
    /// </summary>
    private async Task<IReadOnlyList<NovuOutcome>> SendAsync(INovuClient novu, IReadOnlyList<TriggerRequest> requests, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (requests.Count >= NovuBulkSize)
        {
            IReadOnlyList<NovuOutcome> bulk;
            try
            {
                bulk = await novu.TriggerBulkAsync(requests, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                bulk = requests.Select(_ => CallFailed(e)).ToList();
            }

            XNovuTelemetry.NovuCallTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, XNovuTelemetry.Outcome("bulk"));
            return bulk;
        }

        using var gate = new SemaphoreSlim(options.Value.MaxParallelSends);
        var outcomes = await Task.WhenAll(requests.Select(async request =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await novu.TriggerAsync(request, idempotencyKey: request.TransactionId, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return CallFailed(e);
            }
            finally
            {
                gate.Release();
            }
        }));
        XNovuTelemetry.NovuCallTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, XNovuTelemetry.Outcome("single"));
        return outcomes;
    }

    /// <summary>
    /// The client classifies every answer itself and throws only for what it does not know; whatever that is,
    /// the same call with the same Idempotency-Key may succeed later, so it is retried within the budget.
    /// </summary>
    private NovuOutcome CallFailed(Exception e)
    {
        LogCallFailed(logger, e);
        return new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = $"The Novu call failed ({e.GetType().Name})." };
    }

    private async Task<(TriggerRequest Request, SkippedChannels? Skipped)> BuildAsync(
        ClaimedDelivery delivery, ResolvedWorkflow? workflow, IReadOnlyDictionary<(Guid, string), NovuSubscriber> stored, string? enterpriseName,
        PartRendering part, Dictionary<long, DeliveryRendering> renderedAs, PreferenceSnapshot preferenceRows, JsonElement? digest,
        CancellationToken cancellationToken)
    {
        if (workflow is null)
        {
            throw new DeliveryRejectedException($"Workflow '{delivery.WorkflowKey}' does not exist.");
        }

        if (!workflow.CanSend)
        {
            throw new DeliveryRejectedException($"Workflow '{delivery.WorkflowKey}' is not published or is deactivated.");
        }

        // Recipients are checked by the API, but rows may also come from SQL or older versions: a recipient of the
        // wrong shape (a number where text is expected) fails this delivery with the field's path.
        var inline = Subscriber(delivery)
            ?? throw new DeliveryRejectedException("The notification names no recipient and no default subscriber is configured.");
        var subscriber = NovuEvents.MergeSubscriber(stored.GetValueOrDefault((delivery.EnterpriseId, inline.SubscriberId)), inline);
        using var payloadDocument = JsonDocument.Parse(delivery.Payload);
        var payload = payloadDocument.RootElement.Clone();

        var rendered = new List<RenderedChannel>(workflow.Channels.Count);
        string? renderedLocale = null;
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        Dictionary<string, int>? layouts = null;
        string? senderName = null;
        var layers = preferenceRows.For(delivery.WorkflowKey, inline.SubscriberId);
        SkippedChannels? skipped = null;
        string? emailUnsubscribeUrl = null;
        foreach (var channel in workflow.Channels)
        {
            if (delivery.Channels is { Length: > 0 } only && !only.Contains(channel.Channel.ToWireName(), StringComparer.Ordinal))
            {
                continue;
            }

            // A channel the subscriber's preferences silence is not rendered: Novu's step skips a channel the event
            // carries no content for (NovuWorkflowShape), and the delivery records which source silenced it.
            if (PreferenceResolver.Decide(channel.Channel, layers) is { Enabled: false } silenced)
            {
                (skipped ??= new SkippedChannels(StringComparer.Ordinal))[channel.Channel.ToWireName()] = new SkippedChannel(silenced.SourceName, silenced.Reason);
                continue;
            }

            if (channel.Template is null)
            {
                throw new DeliveryRejectedException($"Channel {channel.Channel.ToWireName()} of workflow '{workflow.WorkflowKey}' has no published template.");
            }

            var (template, locale, translations) = part.Choose(delivery.DeliveryId, channel.Template, subscriber.Locale);
            renderedLocale ??= locale;
            if (template.Version is { } version)
            {
                versions[template.TemplateKey] = version;
            }

            var unsubscribeUrl = unsubscribe.Url(new UnsubscribeScope(delivery.EnterpriseId, inline.SubscriberId, delivery.WorkflowKey, channel.Channel.ToPreferenceKey()));
            if (channel.Channel == NotificationChannel.Email)
            {
                emailUnsubscribeUrl = unsubscribeUrl;
            }

            if (template is { Channel: NotificationChannel.Email, Layout: { } layout })
            {
                (layouts ??= new Dictionary<string, int>(StringComparer.Ordinal))[layout.LayoutKey] = layout.Version;
                senderName = layout.SenderName;
            }

            rendered.Add(await NovuEvents.RenderAsync(
                templates, template, delivery.EnterpriseId, enterpriseName, payload, subscriber, cancellationToken, translations, digest, unsubscribeUrl));
        }

        if (rendered.Count == 0 && skipped is not null)
        {
            throw new DeliverySilencedException(skipped);
        }

        renderedAs[delivery.DeliveryId] = new DeliveryRendering(renderedLocale, workflow.IsStatic ? null : workflow.Version, versions, layouts);

        var request = NovuEvents.Build(
            workflow, delivery.EnterpriseId, enterpriseName, delivery.NotificationId, delivery.TransactionId, subscriber, payload, rendered,
            NovuEvents.WithSenderName(delivery.Overrides, senderName));
        request = NovuEvents.WithEmailUnsubscribe(request, emailUnsubscribeUrl);

        // The last line of defence: the API refuses a trigger whose event cannot fit, but a template changed after
        // the accept, or a row written by SQL, can still make one too large. Novu would refuse it with 413 every
        // time, so it fails now, saying which channel, without a call.
        return NovuEvents.Overflow(request, rendered) is { } size ? throw new DeliveryRejectedException(size.Describe()) : (request, skipped);
    }

    /// <summary>
    /// The part's deliveries of workflows with a digest, each with its key's value in its payload and the time its
    /// bucket would be sent if it opened now (a timed digest's CRON in the subscriber's time zone).
    /// </summary>
    private List<DigestItem> DigestItems(
        IReadOnlyList<ClaimedDelivery> batch, PreferenceSnapshot settings, IReadOnlyDictionary<(Guid, string), NovuSubscriber> stored)
    {
        var items = new List<DigestItem>();
        if (settings.Digests.Count == 0)
        {
            return items;
        }

        var now = time.GetUtcNow();
        foreach (var delivery in batch)
        {
            if (!settings.Digests.TryGetValue(delivery.WorkflowKey, out var digest))
            {
                continue;
            }

            NovuSubscriber? inline;
            string keyValue;
            try
            {
                inline = Subscriber(delivery);
                using var payload = JsonDocument.Parse(delivery.Payload);
                keyValue = digest.KeyValue(payload.RootElement);
            }
            catch (JsonException)
            {
                // Not digested: the delivery fails on its own malformed recipient or payload when it is built.
                continue;
            }

            if (inline is null)
            {
                continue;
            }

            var zone = inline.Timezone ?? stored.GetValueOrDefault((delivery.EnterpriseId, inline.SubscriberId))?.Timezone;
            items.Add(new DigestItem(delivery.DeliveryId, delivery.WorkflowKey, inline.SubscriberId, keyValue,
                digest.FlushAt(now, zone), digest.LookBackSeconds, digest.EventLimit));
        }

        return items;
    }

    private NovuSubscriber? Subscriber(ClaimedDelivery delivery)
    {
        if (delivery.Recipient is { } recipient && JsonSerializer.Deserialize<NovuSubscriber>(recipient, Json) is { SubscriberId.Length: > 0 } subscriber)
        {
            return subscriber;
        }

        return options.Value.DefaultSubscriberId is { Length: > 0 } fallback ? new NovuSubscriber { SubscriberId = fallback } : null;
    }

    private DeliveryResult Decide(ClaimedDelivery delivery, NovuOutcome outcome)
    {
        var now = time.GetUtcNow();
        var (decision, retryAt) = retryPolicy.Decide(outcome, delivery.Attempts, now, Random.Shared.NextDouble());
        switch (decision)
        {
            case DeliveryDecision.Sent:
                XNovuTelemetry.DeliveriesSent.Add(1);
                return new DeliveryResult(delivery.DeliveryId, "sent", null, outcome.NovuStatus, null);
            case DeliveryDecision.Retry:
                LogRetry(logger, delivery.DeliveryId, delivery.Attempts, outcome.HttpStatus, retryAt);
                XNovuTelemetry.DeliveriesRetried.Add(1);
                return new DeliveryResult(delivery.DeliveryId, "retry", retryAt, outcome.NovuStatus,
                    new DeliveryError(outcome.Message ?? "Retryable Novu answer", outcome.HttpStatus, outcome.NovuStatus, delivery.Attempts, now));
            default:
                return Fail(delivery, outcome.Message ?? "Novu refused the trigger", null, outcome.HttpStatus, outcome.NovuStatus);
        }
    }

    /// <summary>Neither sent nor failed: every channel the delivery would have used is silenced by a preference.</summary>
    private static DeliveryResult Skipped(ClaimedDelivery delivery, SkippedChannels channels)
    {
        XNovuTelemetry.DeliveriesSkipped.Add(1);
        return new DeliveryResult(delivery.DeliveryId, "skipped", null, null, null) { Skipped = channels };
    }

    private DeliveryResult Fail(ClaimedDelivery delivery, string message, Exception? cause = null, int? httpStatus = null, string? novuStatus = null)
    {
        LogFailed(logger, cause, delivery.DeliveryId, delivery.NotificationId, message);
        XNovuTelemetry.DeliveriesFailed.Add(1);
        return new DeliveryResult(delivery.DeliveryId, "failed", null, novuStatus,
            new DeliveryError(message, httpStatus, novuStatus, delivery.Attempts, time.GetUtcNow()));
    }

    private static ActivityContext? ParseContext(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "The subscriber profiles of a claimed batch could not be read")]
    private static partial void LogProfilesFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The digest buckets of a claimed batch could not be reached; its digest deliveries will be retried")]
    private static partial void LogDigestFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow {WorkflowKey} could not be resolved")]
    private static partial void LogResolveFailed(ILogger logger, Exception exception, string workflowKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} will be retried (attempt {Attempts}, HTTP {HttpStatus}) at {RetryAt}")]
    private static partial void LogRetry(ILogger logger, long deliveryId, int attempts, int? httpStatus, DateTimeOffset? retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} of notification {NotificationId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception? exception, long deliveryId, long notificationId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Novu environment {Environment} refused XNovu's credentials (HTTP {HttpStatus}): its deliveries are paused until {Until} or until the credentials change")]
    private static partial void LogEnvironmentPaused(ILogger logger, string environment, int? httpStatus, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Novu call threw; its deliveries will be retried")]
    private static partial void LogCallFailed(ILogger logger, Exception exception);

    private sealed class DeliveryRejectedException(string message) : Exception(message);

    private sealed class DeliverySilencedException(SkippedChannels channels) : Exception("Every channel is silenced by a preference.")
    {
        public SkippedChannels Channels { get; } = channels;
    }

    private sealed class WorkflowUnreadableException(string message, Exception inner) : Exception(message, inner);

    private sealed class NovuWorkflowNotReadyException(string message, TimeSpan? retryAfter) : Exception(message)
    {
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }
}

/// <summary>
/// A processed batch: the results of the parts that finished, to record now, and the parts still running (one
/// enterprise's slow renders), each to record when it ends.
/// </summary>
public sealed record BatchOutcome(IReadOnlyList<DeliveryResult> Results, IReadOnlyList<Task<IReadOnlyList<DeliveryResult>>> SlowParts);
