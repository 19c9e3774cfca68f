namespace XNovu.Core.Persistence;

/// <summary>
/// Where read-only history queries go (the notification list and detail, which the console browses through the API):
/// a standby when <c>ConnectionStrings:xnovu-api-reads</c> names one, so that browsing history cannot slow
/// ingestion on the primary; the primary otherwise. A standby lags: a notification accepted a moment ago, or a status
/// changed a moment ago, may not be there yet (docs/operations.md, "Reads off the primary"). Nothing that writes, nor
/// anything a write decides on, reads here.
/// </summary>
public sealed class XNovuReadDatabase(XNovuDatabase database)
{
    /// <summary>Whether the reads go to a connection of their own (a standby) rather than the primary's pool.</summary>
    public bool OffPrimary { get; init; }

    public XNovuDatabase Database => database;

    /// <inheritdoc cref="XNovuDatabase.InTenantAsync{T}"/>
    public Task<T> InTenantAsync<T>(Guid enterpriseId, Func<TenantSession, Task<T>> work, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, work, cancellationToken);
}
