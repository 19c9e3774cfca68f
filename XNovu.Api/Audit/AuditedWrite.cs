namespace XNovu.Api.Audit;

/// <summary>
/// A write of subscribers, topics or API keys as <see cref="AuditStore.RecordAsync"/> records it, in the write's own
/// transaction: those tables carry no audit trigger, because the trigger path writes subscriber profiles and expands
/// topics on every trigger and a row trigger there would run on each; so their stores, which know what each statement
/// did, name it. One row per entity.
/// </summary>
/// <param name="EntityType">The entity as the audit names it: <see cref="Subscriber"/>, <see cref="Topic"/>, <see cref="ApiKey"/>.</param>
/// <param name="Entities">Each entity's key and what was done to it: <see cref="Created"/>, <see cref="Updated"/> or <see cref="Deleted"/>.</param>
/// <param name="Changed">What an update changed, when it is not the entity's own fields (a topic's <c>subscribers</c>).</param>
internal sealed record AuditedWrite(string EntityType, IReadOnlyList<(string Key, string Action)> Entities, string[]? Changed = null)
{
    public const string Subscriber = "subscriber";
    public const string Topic = "topic";
    public const string ApiKey = "api-key";

    public const string Created = "created";
    public const string Updated = "updated";
    public const string Deleted = "deleted";

    /// <summary>One entity, one action.</summary>
    public static AuditedWrite Of(string entityType, string key, string action, string[]? changed = null) =>
        new(entityType, [(key, action)], changed);
}
