using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using XNovu.Core.Novu;

namespace XNovu.Api.Operations;

/// <summary>
/// Verifies each Novu environment's credentials with the cheapest authenticated call that changes nothing
/// (<c>GET /v2/workflows?limit=1</c>), through the environment's own client, so the key goes only where the
/// deliveries go. A wrong key reads <c>unauthorized</c>, not "reachable". Results are kept for
/// <see cref="OperationsOptions.NovuCheckCacheDuration"/> per environment and credentials, so health stays cheap
/// and a changed key is checked afresh at once.
/// </summary>
public sealed class NovuProbe(NovuEnvironments environments, IOptions<OperationsOptions> options, TimeProvider time)
{
    public const string Authorized = "authorized";
    public const string Unauthorized = "unauthorized";
    public const string Unreachable = "unreachable";

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Result Result)> _cache = new(StringComparer.Ordinal);

    /// <param name="Credentials"><see cref="Authorized"/>, <see cref="Unauthorized"/> or <see cref="Unreachable"/> (unknown).</param>
    public sealed record Result(NovuEnvironment Environment, bool Reachable, string Credentials, double LatencyMs, int? StatusCode, string? Error);

    public Task<Result> ProbeSharedAsync(CancellationToken cancellationToken) => ProbeAsync(environments.Shared, cancellationToken);

    public async Task<IReadOnlyList<Result>> ProbeAllAsync(CancellationToken cancellationToken)
    {
        var all = await environments.AllAsync(cancellationToken);
        return await Task.WhenAll(all.Select(environment => ProbeAsync(environment, cancellationToken)));
    }

    public async Task<Result> ProbeAsync(NovuEnvironment environment, CancellationToken cancellationToken)
    {
        var key = $"{environment.Name}|{environment.Version}";
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && now - cached.At < options.Value.NovuCheckCacheDuration)
        {
            return cached.Result;
        }

        var result = await CheckAsync(environment, cancellationToken);
        _cache[key] = (time.GetUtcNow(), result);
        return result;
    }

    private async Task<Result> CheckAsync(NovuEnvironment environment, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if (environment.Client is not { } novu)
        {
            return new Result(environment, false, Unauthorized, 0, null, environment.Problem);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ProbeTimeout);
        try
        {
            var outcome = await novu.Workflows.ListAsync(1, timeout.Token);
            return outcome switch
            {
                { IsSuccess: true } => new Result(environment, true, Authorized, Elapsed(started), outcome.HttpStatus, null),
                { CredentialsRefused: true } => new Result(environment, true, Unauthorized, Elapsed(started), outcome.HttpStatus,
                    $"Novu refused the secret key (HTTP {outcome.HttpStatus}): deliveries to this environment are paused"),
                // The message only: Novu's own words, never an exception's (which could carry an address).
                { HttpStatus: null } => new Result(environment, false, Unreachable, Elapsed(started), null, "no answer"),
                _ => new Result(environment, outcome.HttpStatus < 500, Unreachable, Elapsed(started), outcome.HttpStatus, $"answered {outcome.HttpStatus}"),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Result(environment, false, Unreachable, Elapsed(started), null, $"no answer within {options.Value.ProbeTimeout.TotalMilliseconds:0} ms");
        }
    }

    private double Elapsed(long started) => Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1);
}
