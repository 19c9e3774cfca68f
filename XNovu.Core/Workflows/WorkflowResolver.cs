using System.Text.Json;
using Dapper;
using XNovu.Core.Definitions;
using XNovu.Core.Localization;
using XNovu.Core.Persistence;
using XNovu.Core.Templates;

namespace XNovu.Core.Workflows;

/// <summary>A workflow key as an enterprise sees it: its own workflow (any state), or else the static one shipped with XNovu.</summary>
public sealed record VisibleWorkflow<TOwn>(string WorkflowKey, TOwn? Own, StaticWorkflow? Static)
    where TOwn : class;

/// <summary>
/// Which workflow and which templates a key resolves to, for every reader: the trigger path, the dispatcher's
/// cache, previews and the workflow endpoints. An enterprise's own workflow (or template), whatever its state,
/// shadows a static one with the same key; <see cref="Choose{TOwn}"/> is the one place that rule lives.
/// A workflow may be sent when it is published and not deactivated, with at most one template per channel
/// (the one its template overrides name for that channel, itself published, active and of that channel).
/// </summary>
public sealed class WorkflowResolver(XNovuDatabase database, StaticWorkflowRegistry registry)
{
    /// <summary>Static templates never change while the process runs, so one stamp serves them all.</summary>
    private static readonly DateTimeOffset StaticVersion = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// Whether template <c>t</c> sees payload keys at the Liquid root, as the original XNovu rendered them: its
    /// own <c>payload_at_root</c>, else its enterprise's default. The one place this rule lives.
    /// </summary>
    private const string PayloadAtRootColumn =
        """
        coalesce(t.payload_at_root, (SELECT e.template_payload_at_root FROM notify.enterprise e WHERE e.id = t.enterprise_id), false)
            AS PayloadAtRoot
        """;

    /// <summary>
    /// What a template sends (issue 30): its live version, the one its last publish or rollback made; a template not
    /// published since versions exist (no live version) sends its row, as before. The row is otherwise its draft.
    /// </summary>
    private const string LiveVersionJoin =
        $"""
        LEFT JOIN notify.ent_template_version v
            ON v.enterprise_id = t.enterprise_id AND v.template_key = t.template_key AND v.version = t.live_version
        {LayoutJoin}
        """;

    /// <summary>
    /// The live version of the email layout that <c>v</c> (the version being rendered) names, or <c>t</c> (its row) when
    /// there is no version; the joins of <see cref="LayoutColumns"/>.
    /// </summary>
    private const string LayoutJoin =
        """
        LEFT JOIN notify.ent_email_layout l
            ON l.enterprise_id = t.enterprise_id AND l.layout_key = CASE WHEN v.id IS NULL THEN t.layout_key ELSE v.layout_key END
        LEFT JOIN notify.ent_layout_version lv
            ON lv.enterprise_id = l.enterprise_id AND lv.layout_key = l.layout_key AND lv.version = l.live_version
        """;

    private const string LayoutColumns =
        """
        lv.layout_key AS LayoutKey, lv.version AS LayoutVersion, lv.header_html AS LayoutHeader, lv.footer_html AS LayoutFooter,
        lv.logo_url AS LayoutLogoUrl, lv.primary_color AS LayoutPrimaryColor, lv.background_color AS LayoutBackgroundColor,
        lv.sender_name AS LayoutSenderName
        """;

    private const string LiveTemplateColumns =
        $"""
        t.template_key AS TemplateKey, coalesce(v.channel_type, t.channel_type)::text AS ChannelType,
        CASE WHEN v.id IS NULL THEN t.subject_template ELSE v.subject_template END AS SubjectTemplate,
        coalesce(v.body_template, t.body_template) AS BodyTemplate, coalesce(v.created_at, t.updated_at) AS UpdatedAt,
        {PayloadAtRootColumn}, v.version AS Version, coalesce(v.locales, t.locales)::text AS Locales, {LayoutColumns}
        """;

    /// <summary>The shadowing rule: the enterprise's own definition wins, else the static one, else nothing.</summary>
    public VisibleWorkflow<TOwn>? Choose<TOwn>(string workflowKey, TOwn? own)
        where TOwn : class =>
        own is not null ? new VisibleWorkflow<TOwn>(workflowKey, own, null)
        : registry.FindWorkflow(workflowKey) is { } shipped ? new VisibleWorkflow<TOwn>(workflowKey, null, shipped)
        : null;

    /// <summary>Every workflow the enterprise sees: its own, and the static ones it does not shadow.</summary>
    public IEnumerable<VisibleWorkflow<TOwn>> Visible<TOwn>(IEnumerable<TOwn> own, Func<TOwn, string> keyOf)
        where TOwn : class
    {
        var byKey = own.ToDictionary(keyOf, StringComparer.Ordinal);
        return byKey.Keys
            .Union(registry.Workflows.Select(w => w.WorkflowKey), StringComparer.Ordinal)
            .Select(key => Choose(key, byKey.GetValueOrDefault(key))!);
    }

    /// <summary>The workflow with its template per channel, as the dispatcher sends it; null when the key names none.</summary>
    public async Task<ResolvedWorkflow?> ResolveAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken)
    {
        var resolved = await database.InTenantAsync(enterpriseId, async session =>
        {
            var own = await ReadOwnAsync(session, workflowKey);
            return Choose(workflowKey, own) is { Own: { } row } ? await ResolveOwnAsync(session, enterpriseId, row) : null;
        }, cancellationToken);
        return resolved ?? (Choose<StoredWorkflow>(workflowKey, null) is { Static: { } shipped } ? ResolveStatic(shipped) : null);
    }

    /// <summary>The enterprise's own workflow row with the key, whatever its state, read in its scope; null when it has none.</summary>
    public Task<StoredWorkflow?> FindOwnAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => ReadOwnAsync(session, workflowKey), cancellationToken);

    private static Task<StoredWorkflow?> ReadOwnAsync(TenantSession session, string workflowKey) =>
        session.Connection.QuerySingleOrDefaultAsync<StoredWorkflow>(
            """
            SELECT workflow_key AS WorkflowKey, name, publish_status::text AS PublishStatus, deactivated,
                   version, default_channels::text[] AS Channels, template_overrides::text AS TemplateOverrides,
                   novu_payload AS NovuPayload
            FROM notify.ent_notification_workflow WHERE workflow_key = @workflowKey
            """,
            new { workflowKey }, session.Transaction);

    /// <summary>
    /// A template by key as the template engine finds it: the enterprise's own (not deactivated) template, read
    /// inside that enterprise's row-level-security scope, or else the static template of that key.
    /// </summary>
    public async Task<TemplateDefinition?> FindTemplateAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken)
    {
        TemplateDefinition? own = null;
        if (enterpriseId is { } id)
        {
            var row = await database.InTenantAsync(id, session => session.Connection.QuerySingleOrDefaultAsync<TemplateDefinitionRow>(
                $"""
                SELECT {LiveTemplateColumns}
                FROM notify.ent_notification_template t {LiveVersionJoin}
                WHERE t.template_key = @templateKey AND NOT t.deactivated
                """,
                new { templateKey },
                session.Transaction), cancellationToken);
            own = row?.ToDefinition(id);
        }

        return own ?? (registry.FindTemplate(templateKey) is { } shipped && NotificationChannelNames.TryParse(shipped.ChannelType, out var channel)
            ? new TemplateDefinition(null, shipped.TemplateKey, channel, shipped.SubjectTemplate, shipped.BodyTemplate, StaticVersion)
            : null);
    }

    /// <summary>
    /// Published versions of the enterprise's templates by (key, version), in one query: what a delivery sent again
    /// renders with (the versions of its first render). Versions never change, so a caller may keep them.
    /// </summary>
    public async Task<IReadOnlyDictionary<(string Key, int Version), TemplateDefinition>> FindVersionsAsync(
        Guid enterpriseId, IReadOnlyCollection<(string Key, int Version)> wanted, CancellationToken cancellationToken)
    {
        if (wanted.Count == 0)
        {
            return new Dictionary<(string, int), TemplateDefinition>();
        }

        var keys = wanted.Select(w => w.Key).ToArray();
        var versions = wanted.Select(w => w.Version).ToArray();
        var rows = await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<TemplateDefinitionRow>(
            $"""
            SELECT v.template_key AS TemplateKey, v.channel_type::text AS ChannelType, v.subject_template AS SubjectTemplate,
                   v.body_template AS BodyTemplate, v.created_at AS UpdatedAt, {PayloadAtRootColumn}, v.version AS Version,
                   v.locales::text AS Locales, {LayoutColumns}
            FROM unnest(@keys::text[], @versions::integer[]) AS w (template_key, version)
            JOIN notify.ent_template_version v ON v.template_key = w.template_key AND v.version = w.version
            JOIN notify.ent_notification_template t ON t.template_key = v.template_key
            {LayoutJoin}
            """,
            new { keys, versions }, session.Transaction), cancellationToken);
        return rows.Select(r => r.ToDefinition(enterpriseId)).OfType<TemplateDefinition>()
            .ToDictionary(d => (d.TemplateKey, d.Version!.Value));
    }

    /// <summary>
    /// Published versions of the enterprise's email layouts by (key, version), in one query: the layout a delivery sent
    /// again is rendered in (the version of its first render). Versions never change, so a caller may keep them.
    /// </summary>
    public async Task<IReadOnlyDictionary<(string Key, int Version), EmailLayout>> FindLayoutVersionsAsync(
        Guid enterpriseId, IReadOnlyCollection<(string Key, int Version)> wanted, CancellationToken cancellationToken)
    {
        if (wanted.Count == 0)
        {
            return new Dictionary<(string, int), EmailLayout>();
        }

        var keys = wanted.Select(w => w.Key).ToArray();
        var versions = wanted.Select(w => w.Version).ToArray();
        var rows = await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<LayoutVersionRow>(
            """
            SELECT lv.layout_key AS LayoutKey, lv.version AS Version, lv.header_html AS Header, lv.footer_html AS Footer,
                   lv.logo_url AS LogoUrl, lv.primary_color AS PrimaryColor, lv.background_color AS BackgroundColor,
                   lv.sender_name AS SenderName
            FROM unnest(@keys::text[], @versions::integer[]) AS w (layout_key, version)
            JOIN notify.ent_layout_version lv ON lv.layout_key = w.layout_key AND lv.version = w.version
            """,
            new { keys, versions }, session.Transaction), cancellationToken);
        return rows.ToDictionary(
            r => (r.LayoutKey, r.Version),
            r => new EmailLayout(r.LayoutKey, r.Version, r.Header, r.Footer, r.LogoUrl, r.PrimaryColor, r.BackgroundColor, r.SenderName));
    }

    private static async Task<ResolvedWorkflow> ResolveOwnAsync(TenantSession session, Guid enterpriseId, StoredWorkflow workflow)
    {
        var overrides = JsonSerializer.Deserialize<Dictionary<string, string>>(workflow.TemplateOverrides) ?? [];
        var keys = overrides.Values.Distinct().ToArray();
        var templates = (await session.Connection.QueryAsync<TemplateDefinitionRow>(
            $"""
            SELECT {LiveTemplateColumns}
            FROM notify.ent_notification_template t {LiveVersionJoin}
            WHERE t.template_key = ANY(@keys) AND t.publish_status = 'PUBLISH' AND NOT t.deactivated
            """,
            new { keys }, session.Transaction)).ToDictionary(t => t.TemplateKey);

        var channels = Channels(workflow.Channels)
            .Select(channel => new ChannelTemplate(
                channel,
                overrides.TryGetValue(channel.ToWireName(), out var key) && templates.TryGetValue(key, out var row)
                    ? row.ToDefinition(enterpriseId)
                    : null))
            .ToList();
        return new ResolvedWorkflow(
            workflow.WorkflowKey, IsStatic: false, WorkflowSendRule.IsPublished(workflow.PublishStatus), workflow.Deactivated, workflow.Version, channels,
            workflow.NovuPayload);
    }

    private ResolvedWorkflow ResolveStatic(StaticWorkflow workflow)
    {
        var channels = Channels(workflow.DefaultChannels)
            .Select(channel => new ChannelTemplate(
                channel,
                workflow.TemplateOverrides.TryGetValue(channel.ToWireName(), out var key)
                    && registry.FindTemplate(key) is { } template
                    ? new TemplateDefinition(null, template.TemplateKey, channel, template.SubjectTemplate, template.BodyTemplate, StaticVersion)
                    : null))
            .ToList();
        return new ResolvedWorkflow(workflow.WorkflowKey, IsStatic: true, Published: true, Deactivated: false, Version: 1, channels);
    }

    private static IEnumerable<NotificationChannel> Channels(IEnumerable<string> names) =>
        names
            .Select(name => NotificationChannelNames.TryParse(name, out var channel) ? channel : (NotificationChannel?)null)
            .OfType<NotificationChannel>();

    private sealed record LayoutVersionRow(
        string LayoutKey, int Version, string Header, string Footer, string? LogoUrl, string? PrimaryColor, string? BackgroundColor, string? SenderName);

    // Dapper maps records by exact type: timestamptz arrives as a UTC DateTime.
    private sealed record TemplateDefinitionRow(
        string TemplateKey, string ChannelType, string? SubjectTemplate, string BodyTemplate, DateTime UpdatedAt, bool PayloadAtRoot,
        int? Version, string? Locales, string? LayoutKey, int? LayoutVersion, string? LayoutHeader, string? LayoutFooter,
        string? LayoutLogoUrl, string? LayoutPrimaryColor, string? LayoutBackgroundColor, string? LayoutSenderName)
    {
        /// <summary>Null for a channel the database knows and this build does not.</summary>
        public TemplateDefinition? ToDefinition(Guid enterpriseId) =>
            NotificationChannelNames.TryParse(ChannelType, out var channel)
                ? new TemplateDefinition(enterpriseId, TemplateKey, channel, SubjectTemplate, BodyTemplate,
                    new DateTimeOffset(DateTime.SpecifyKind(UpdatedAt, DateTimeKind.Utc)), PayloadAtRoot)
                {
                    Version = Version,
                    Locales = LocaleVariants.Parse(Locales),
                    Layout = LayoutKey is null ? null : new EmailLayout(
                        LayoutKey, LayoutVersion!.Value, LayoutHeader ?? string.Empty, LayoutFooter ?? string.Empty, LayoutLogoUrl,
                        LayoutPrimaryColor, LayoutBackgroundColor, LayoutSenderName),
                }
                : null;
    }
}
