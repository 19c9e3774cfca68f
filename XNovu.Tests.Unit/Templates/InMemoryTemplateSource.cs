using System.Collections.Concurrent;
using XNovu.Core.Templates;

namespace XNovu.Tests.Unit.Templates;

/// <summary>
/// The template source as the database will behave: an enterprise's own template of a key, else the static
/// (null-enterprise) one, never another enterprise's. Counts the lookups so tests can see the cache work.
/// </summary>
internal sealed class InMemoryTemplateSource : ILiquidTemplateSource
{
    private static readonly DateTimeOffset FirstVersion = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ConcurrentDictionary<(Guid? EnterpriseId, string Key), TemplateDefinition> _templates = new();
    private int _lookups;

    public int Lookups => Volatile.Read(ref _lookups);

    public TemplateDefinition Put(
        Guid? enterpriseId,
        string key,
        string body,
        string? subject = null,
        NotificationChannel channel = NotificationChannel.Email,
        DateTimeOffset? updatedAt = null)
    {
        var definition = new TemplateDefinition(enterpriseId, key, channel, subject, body, updatedAt ?? FirstVersion);
        _templates[(enterpriseId, key)] = definition;
        return definition;
    }

    public Task<TemplateDefinition?> FindAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        if (enterpriseId is not null && _templates.TryGetValue((enterpriseId, templateKey), out var own))
        {
            return Task.FromResult<TemplateDefinition?>(own);
        }

        return Task.FromResult(_templates.TryGetValue((null, templateKey), out var shared) ? shared : null);
    }
}
