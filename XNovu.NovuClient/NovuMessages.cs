using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XNovu.NovuClient;

/// <summary>Novu's <c>/v1/messages</c> route, named after the official SDK's <c>messages</c> namespace.</summary>
public interface INovuMessages
{
    /// <summary>
    /// <c>GET /v1/messages?transactionId=a&amp;transactionId=b&amp;page=&amp;limit=</c>: one page of the environment's
    /// messages of those transactions (one message per channel step and subscriber), with each one's status, delivery,
    /// seen and read dates and the provider's error.
    /// </summary>
    Task<NovuOutcome<NovuMessagePage>> ListAsync(IReadOnlyList<string> transactionIds, int page, int limit, CancellationToken cancellationToken = default);
}

/// <summary>Novu's paginated answer <c>{page, totalCount, hasMore, pageSize, data}</c>.</summary>
public sealed record NovuMessagePage(int Page, bool HasMore, int PageSize, IReadOnlyList<NovuMessage> Data);

/// <summary>The fields of Novu's message entity the delivery status needs.</summary>
public sealed record NovuMessage
{
    [JsonPropertyName("_id")]
    public string? Id { get; init; }

    public string? TransactionId { get; init; }

    public string? Channel { get; init; }

    /// <summary><c>sent</c>, <c>error</c> or <c>warning</c>.</summary>
    public string? Status { get; init; }

    /// <summary>Novu's entity keeps a list of delivery dates; a webhook's object carries one. Both are read.</summary>
    public JsonElement? DeliveredAt { get; init; }

    public bool Seen { get; init; }

    public bool Read { get; init; }

    public DateTimeOffset? LastSeenDate { get; init; }

    public DateTimeOffset? LastReadDate { get; init; }

    public string? ProviderId { get; init; }

    public string? ErrorId { get; init; }

    public string? ErrorText { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The first delivery date, whichever form Novu used; null when not delivered.</summary>
    public DateTimeOffset? FirstDeliveredAt => DeliveredAt switch
    {
        { ValueKind: JsonValueKind.String } one => Parse(one.GetString()),
        { ValueKind: JsonValueKind.Array } many => many.EnumerateArray()
            .Where(d => d.ValueKind == JsonValueKind.String).Select(d => Parse(d.GetString())).FirstOrDefault(d => d is not null),
        _ => null,
    };

    private static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;
}

internal sealed class NovuMessages(NovuRestClient client) : INovuMessages
{
    /// <summary>Kept well under the 8 KB request line most proxies accept.</summary>
    public const int MaxQueryLength = 6000;

    public async Task<NovuOutcome<NovuMessagePage>> ListAsync(IReadOnlyList<string> transactionIds, int page, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionIds);
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var query = new StringBuilder("v1/messages?page=").Append(page.ToString(CultureInfo.InvariantCulture))
            .Append("&limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        foreach (var id in transactionIds)
        {
            query.Append("&transactionId=").Append(Uri.EscapeDataString(id));
        }

        if (query.Length > MaxQueryLength)
        {
            throw new ArgumentException($"Too many transaction ids for one request ({query.Length} characters).", nameof(transactionIds));
        }

        var answer = await client.SendAsync(HttpMethod.Get, query.ToString(), null, null, cancellationToken);
        return client.ToOutcome(answer, data =>
        {
            var messages = data.Deserialize<List<NovuMessage>>(NovuJson.Options) ?? [];
            var body = answer.Body!.Value;
            var hasMore = body.TryGetProperty("hasMore", out var more) && more.ValueKind == JsonValueKind.True;
            var pageSize = body.TryGetProperty("pageSize", out var size) && size.TryGetInt32(out var n) ? n : limit;
            return new NovuMessagePage(page, hasMore, pageSize, messages);
        });
    }
}
