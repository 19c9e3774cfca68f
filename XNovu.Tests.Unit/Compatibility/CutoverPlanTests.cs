extern alias cli;

using cli::XNovu.Cli.Import;

namespace XNovu.Tests.Unit.Compatibility;

/// <summary>Codes derived for the original's code-less categories, and which of its notifications a cutover brings.</summary>
public sealed class CutoverPlanTests
{
    private static readonly Dictionary<long, string> WorkflowKeys = new() { [300] = "order-shipped" };

    [Fact]
    public void Missing_codes_come_from_the_path_else_the_name_and_never_collide()
    {
        var notes = new List<ImportEntry>();
        OriginalLookup Row(long id, string? code, string name, string? path = null) => new(id, code, name, null, 0, "PUBLISH", false, path);

        var codes = DerivedCodes.For(
            [Row(1, "safety-fire", "Given"), Row(2, null, "Fire", "safety.fire"), Row(3, null, "Duty  Roster!"), Row(4, null, "***")],
            "category", notes);

        Assert.Equal(["safety-fire", "safety-fire-2", "duty-roster", "category-4"], codes.Values);
        Assert.Equal(["safety-fire-2", "duty-roster", "category-4"], notes.Select(n => n.Name));
        Assert.All(notes, n => Assert.Equal(ImportAction.Note, n.Action));
    }

    [Fact]
    public void Only_pending_published_rows_with_a_workflow_and_recipients_are_brought_keeping_their_transaction_ids()
    {
        var entries = new List<ImportEntry>();
        OriginalNotification Row(long id, string status = "PENDING", string publish = "PUBLISH", long? workflow = 300, string[]? recipients = null,
            string? transactionId = null, string? reason = null) => new()
        {
            Id = id, Name = $"n{id}", WorkflowId = workflow, NotificationStatus = status, PublishStatus = publish, Payload = "{}",
            Recipients = recipients ?? ["aaaaaaaa-0000-4000-8000-000000000001"], TransactionId = transactionId, RetractionReason = reason,
        };

        var plan = Cutover.Plan(
            [
                Row(1, transactionId: "tx-1"), Row(2), Row(3, publish: "DRAFT"), Row(4, status: "PROCESSING"), Row(5, workflow: 999),
                Row(6, recipients: []), Row(7, status: "RETRACTED", reason: Cutover.MovedReason + "tx-7"),
            ],
            WorkflowKeys, new Dictionary<long, string>(), new Dictionary<long, string>(), entries);

        Assert.Equal([(1L, "tx-1", false), (2L, "original-2", false), (7L, "tx-7", true)], plan.Select(n => (n.OriginalId, n.TransactionId, n.Claimed)));
        Assert.Equal(["skip 3 n3", "skip 4 n4", "unconverted 5 n5", "unconverted 6 n6"], entries.Select(e => $"{e.Action.ToString().ToLowerInvariant()} {e.Name}"));
    }
}
