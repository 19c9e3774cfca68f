using Microsoft.Extensions.Caching.Memory;
using XNovu.Dispatcher.NovuSync;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// Enterprise names for <c>{{ enterprise.name }}</c> and Novu's <c>tenant</c>, read in the enterprise's own
/// scope and kept a minute: a rename shows within that time.
/// </summary>
public sealed class EnterpriseNames(NovuSyncStore store, IMemoryCache memory)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    public async Task<string?> GetAsync(Guid enterpriseId, CancellationToken cancellationToken)
    {
        if (memory.TryGetValue((typeof(EnterpriseNames), enterpriseId), out string? name))
        {
            return name;
        }

        name = await store.EnterpriseNameAsync(enterpriseId, cancellationToken);
        memory.Set((typeof(EnterpriseNames), enterpriseId), name, Lifetime);
        return name;
    }
}
