using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using XNovu.Core.Novu;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.DeliveryPoll;

/// <summary>
/// Learns the fate of deliveries in Novu environments that send no webhooks (issue 28). Each pass claims deliveries
/// Novu accepted a while ago that have no outcome past <c>sent</c> (<see cref="DeliveryPollStore.ClaimAsync"/>, at
/// most <see cref="DeliveryPollOptions.PerEnterprise"/> per enterprise), groups them by environment and asks each
/// environment, side by side, with <c>GET /v1/messages?transactionId=...</c> for several deliveries at once, at that
/// environment's own pace (<see cref="DeliveryPollOptions.RequestsPerSecond"/>). An answer is read only for the
/// transactions asked about, and applied as a webhook of that environment would be (an enterprise's own environment
/// speaks only for it), so no environment's answer reaches another tenant. Every replica runs it; the claim keeps
/// them apart.
/// </summary>
public sealed partial class DeliveryOutcomePoller(
    DeliveryPollStore store,
    NovuEnvironments environments,
    IOptions<DeliveryPollOptions> options,
    TimeProvider time,
    ILogger<DeliveryOutcomePoller> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nextRequest = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.Interval, time);
        do
        {
            try
            {
                await PassAsync(settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                // The claimed deliveries come due again after their wait.
                LogPassFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: claim, ask each environment, apply. Answers how many new events it recorded.</summary>
    internal async Task<int> PassAsync(DeliveryPollOptions settings, CancellationToken cancellationToken)
    {
        var claimed = await store.ClaimAsync(settings, cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        var groups = new Dictionary<string, (NovuEnvironment Environment, List<PolledDelivery> Deliveries)>(StringComparer.Ordinal);
        foreach (var delivery in claimed)
        {
            var environment = await environments.ForEnterpriseAsync(delivery.EnterpriseId, cancellationToken);
            // The environment changed since the claim read it (the admin gave or took one): asked next time, where it is now.
            if (environment.IsShared == delivery.OwnEnvironment)
            {
                continue;
            }

            if (!groups.TryGetValue(environment.Name, out var group))
            {
                groups[environment.Name] = group = (environment, []);
            }

            group.Deliveries.Add(delivery);
        }

        var applied = await Task.WhenAll(groups.Values.Select(g => PollEnvironmentAsync(g.Environment, g.Deliveries, settings, cancellationToken)));
        return applied.Sum();
    }

    private async Task<int> PollEnvironmentAsync(
        NovuEnvironment environment, List<PolledDelivery> deliveries, DeliveryPollOptions settings, CancellationToken cancellationToken)
    {
        if (environment.Client is not { } client || environment.IsPaused(time.GetUtcNow()))
        {
            return 0;
        }

        var applied = 0;
        foreach (var chunk in deliveries.Chunk(settings.TransactionsPerRequest))
        {
            // The Novu transaction id of each delivery asked about: only these are read from the answer.
            var asked = chunk.ToDictionary(d => NovuNames.TransactionId(d.EnterpriseId, d.TransactionId), StringComparer.Ordinal);
            var events = new List<PolledEvent>();
            for (var page = 0; page < settings.MaxPages; page++)
            {
                await PaceAsync(environment.Name, settings, cancellationToken);
                var answer = await client.Messages.ListAsync([.. asked.Keys], page, settings.PageSize, cancellationToken);
                if (!answer.IsSuccess || answer.Value is not { } found)
                {
                    LogRefused(logger, environment.Name, answer.HttpStatus, answer.Message);
                    if (answer.CredentialsRefused || answer.HttpStatus == 429)
                    {
                        // Its deliveries wait for their next poll; the other environments go on.
                        return applied + await store.ApplyAsync(events, cancellationToken);
                    }

                    break;
                }

                foreach (var message in found.Data)
                {
                    if (message.TransactionId is { } id && asked.TryGetValue(id, out var delivery))
                    {
                        events.AddRange(PolledMessages.Events(message, delivery));
                    }
                }

                if (!found.HasMore)
                {
                    break;
                }
            }

            applied += await store.ApplyAsync(events, cancellationToken);
        }

        return applied;
    }

    /// <summary>Spaces this environment's requests at its rate; across passes too, and apart from every other environment.</summary>
    private async Task PaceAsync(string environment, DeliveryPollOptions settings, CancellationToken cancellationToken)
    {
        var gap = TimeSpan.FromSeconds(1 / settings.RequestsPerSecond);
        var now = time.GetUtcNow();
        var slot = _nextRequest.AddOrUpdate(environment, now + gap, (_, next) => (next > now ? next : now) + gap) - gap;
        if (slot > now)
        {
            await Task.Delay(slot - now, time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The delivery outcome poll paused after an error; the next pass tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Novu environment {Environment} did not list messages ({Status}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string environment, int? status, string? reason);
}
