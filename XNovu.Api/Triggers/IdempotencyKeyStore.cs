using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using XNovu.Core.Persistence;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace XNovu.Api.Triggers;

/// <summary>An <c>Idempotency-Key</c> and the hash of the request it came with.</summary>
internal sealed record IdempotencyClaim(string Key, byte[] RequestHash);

/// <summary>The answer stored for an Idempotency-Key, with the hash of the request that earned it.</summary>
internal sealed record StoredAnswer(byte[] RequestHash, int StatusCode, string Response);

/// <summary>
/// The SQL of Idempotency-Keys: the stored answer of a key within its window, storing an answer beside the
/// notifications it describes (same transaction), and purging keys past their window.
/// </summary>
internal sealed class IdempotencyKeyStore(XNovuDatabase database, IOptions<TriggerOptions> options, IOptions<JsonOptions> json)
{
    /// <summary>Reads <see cref="StoredAnswer"/>; the trigger lookup runs it in the same round trip as its other reads.</summary>
    public const string StoredAnswerSql =
        """
        SELECT request_hash AS RequestHash, status_code AS StatusCode, response::text AS Response
        FROM notify.idempotency_key
        WHERE key = @idempotencyKey AND created_at > now() - make_interval(secs => @windowSeconds);
        """;

    // A key past its window is taken over in place; a live one (a concurrent first request that committed
    // while this one ran) answers no row, and this request then replays that one's answer.
    private const string StoreAnswerSql =
        """
        INSERT INTO notify.idempotency_key AS k (enterprise_id, key, request_hash, status_code, response)
        VALUES (@enterpriseId, @idempotencyKey, @requestHash, @statusCode, @response::jsonb)
        ON CONFLICT (enterprise_id, key) DO UPDATE
            SET request_hash = excluded.request_hash, status_code = excluded.status_code,
                response = excluded.response, created_at = now()
            WHERE k.created_at <= now() - make_interval(secs => @windowSeconds)
        RETURNING true
        """;

    public double WindowSeconds => options.Value.IdempotencyWindow.TotalSeconds;

    /// <summary>False when a concurrent request with the key stored its answer first.</summary>
    public async Task<bool> StoreAnswerAsync<T>(TenantSession session, IdempotencyClaim claim, int statusCode, T answer) =>
        await session.Connection.QuerySingleOrDefaultAsync<bool>(
            StoreAnswerSql,
            new
            {
                enterpriseId = session.EnterpriseId,
                idempotencyKey = claim.Key,
                requestHash = claim.RequestHash,
                statusCode,
                response = JsonSerializer.Serialize(answer, json.Value.SerializerOptions),
                windowSeconds = WindowSeconds,
            },
            session.Transaction);

    /// <summary>The answer stored for the key, read in a fresh transaction after this request lost a race.</summary>
    public Task<StoredAnswer?> ReadAsync(Guid enterpriseId, IdempotencyClaim claim, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<StoredAnswer>(
            StoredAnswerSql,
            new { idempotencyKey = claim.Key, windowSeconds = WindowSeconds },
            session.Transaction), cancellationToken);

    /// <summary>The stored answer again for the same request; the same key with another request is a 422.</summary>
    public StoreOutcome<T> Replay<T>(StoredAnswer stored, IdempotencyClaim claim) where T : class =>
        stored.RequestHash.AsSpan().SequenceEqual(claim.RequestHash)
            ? new StoreOutcome<T>(JsonSerializer.Deserialize<T>(stored.Response, json.Value.SerializerOptions), null, true)
            : StoreOutcome<T>.Of(TriggerProblems.IdempotencyKeyReused());

    /// <summary>Deletes keys past their window, across enterprises, through their SECURITY DEFINER function.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT notify.purge_idempotency_keys(@seconds)",
            new { seconds = WindowSeconds },
            cancellationToken: cancellationToken));
    }
}

/// <summary>What a trigger call came to: an answer (perhaps the stored first one) or a problem.</summary>
internal sealed record StoreOutcome<T>(T? Answer, ProblemHttpResult? Problem, bool Replayed) where T : class
{
    public static StoreOutcome<T> Of(ProblemHttpResult problem) => new(null, problem, false);
}
