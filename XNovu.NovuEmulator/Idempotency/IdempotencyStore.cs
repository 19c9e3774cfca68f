namespace XNovu.NovuEmulator.Idempotency;

/// <summary>Novu's idempotency records, per API key, kept 24 hours.</summary>
public sealed class IdempotencyStore(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly Lock _gate = new();
    private readonly Dictionary<(string ApiKey, string Key), Entry> _entries = [];

    public Claim Begin(string apiKey, string key, string bodyHash)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_entries.TryGetValue((apiKey, key), out var entry) && entry.ExpiresAt > now)
            {
                if (entry.Answer is null)
                {
                    return new Claim(ClaimKind.InProgress, null);
                }

                return entry.BodyHash == bodyHash ? new Claim(ClaimKind.Replay, entry.Answer) : new Claim(ClaimKind.DifferentBody, null);
            }

            _entries[(apiKey, key)] = new Entry(bodyHash, null, now + Lifetime);
            return new Claim(ClaimKind.New, null);
        }
    }

    public void Complete(string apiKey, string key, StoredAnswer answer)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue((apiKey, key), out var entry))
            {
                _entries[(apiKey, key)] = entry with { Answer = answer };
            }
        }
    }

    /// <summary>Forgets a key whose request failed on our side, so a retry runs afresh.</summary>
    public void Abandon(string apiKey, string key)
    {
        lock (_gate)
        {
            _entries.Remove((apiKey, key));
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    public enum ClaimKind
    {
        New,
        InProgress,
        DifferentBody,
        Replay,
    }

    public sealed record Claim(ClaimKind Kind, StoredAnswer? Answer);

    public sealed record StoredAnswer(int StatusCode, string? ContentType, byte[] Body);

    private sealed record Entry(string BodyHash, StoredAnswer? Answer, DateTimeOffset ExpiresAt);
}
