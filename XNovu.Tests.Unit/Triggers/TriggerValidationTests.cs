using System.Text.Json;
using XNovu.Api.Triggers;

namespace XNovu.Tests.Unit.Triggers;

/// <summary>The envelope rules of a trigger (TriggerValidation.Prepare): 400, 403, 413, or a prepared trigger.</summary>
public sealed class TriggerValidationTests
{
    private static readonly Guid Enterprise = Guid.NewGuid();

    private static TriggerRequest Request(
        string? workflowKey = "wf", string? to = "\"subscriber-1\"", string? subscriberId = null, string? payload = null,
        string? transactionId = null, IReadOnlyList<string>? tags = null, Guid? enterpriseId = null) =>
        new(workflowKey, to is null ? null : JsonDocument.Parse(to).RootElement, subscriberId,
            payload is null ? null : JsonDocument.Parse(payload).RootElement, null, transactionId, null, tags, " ", null, enterpriseId);

    [Fact]
    public void A_good_trigger_is_prepared_with_a_uuid_v7_transaction_id_and_its_recipients_as_an_array()
    {
        var (trigger, problem) = TriggerValidation.Prepare(Request(workflowKey: " wf "), Enterprise, new TriggerOptions());

        Assert.Null(problem);
        Assert.Equal("wf", trigger!.WorkflowKey);
        Assert.Equal(7, Guid.Parse(trigger.TransactionId).Version);
        Assert.Equal("""["subscriber-1"]""", trigger.RecipientsJson.Replace(" ", "", StringComparison.Ordinal));
        Assert.Null(trigger.CategoryCode); // a blank code is no code
    }

    [Fact]
    public void Another_enterprises_id_is_403()
    {
        var (trigger, problem) = TriggerValidation.Prepare(Request(enterpriseId: Guid.NewGuid()), Enterprise, new TriggerOptions());

        Assert.Null(trigger);
        Assert.Equal(403, problem!.StatusCode);
    }

    [Theory]
    [InlineData(null, "workflowId")]
    [InlineData("  ", "workflowId")]
    public void A_missing_workflow_is_400_naming_the_field(string? workflowKey, string field)
    {
        var (_, problem) = TriggerValidation.Prepare(Request(workflowKey: workflowKey), Enterprise, new TriggerOptions());

        Assert.Equal(400, problem!.StatusCode);
        Assert.Contains(field, ((Microsoft.AspNetCore.Http.HttpValidationProblemDetails)problem.ProblemDetails).Errors.Keys);
    }

    [Fact]
    public void To_and_subscriber_id_together_are_400()
    {
        var (_, problem) = TriggerValidation.Prepare(Request(subscriberId: "other"), Enterprise, new TriggerOptions());

        Assert.Equal(400, problem!.StatusCode);
    }

    [Fact]
    public void No_recipient_goes_to_the_default_subscriber_or_is_400_without_one()
    {
        Assert.Equal(400, TriggerValidation.Prepare(Request(to: null), Enterprise, new TriggerOptions()).Problem!.StatusCode);

        var (trigger, _) = TriggerValidation.Prepare(Request(to: null), Enterprise, new TriggerOptions { DefaultSubscriberId = "fallback" });
        Assert.Contains("fallback", trigger!.RecipientsJson, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payload_over_the_limit_is_413_and_a_non_object_is_400()
    {
        var options = new TriggerOptions { MaxPayloadBytes = 16 };

        Assert.Equal(413, TriggerValidation.Prepare(Request(payload: """{"body":"far more than sixteen bytes"}"""), Enterprise, options).Problem!.StatusCode);
        Assert.Equal(400, TriggerValidation.Prepare(Request(payload: "[1]"), Enterprise, options).Problem!.StatusCode);
    }

    [Fact]
    public void Blank_or_overlong_transaction_ids_and_tags_are_400()
    {
        var options = new TriggerOptions { MaxTags = 1 };

        Assert.Equal(400, TriggerValidation.Prepare(Request(transactionId: " "), Enterprise, options).Problem!.StatusCode);
        Assert.Equal(400, TriggerValidation.Prepare(Request(transactionId: new string('t', TriggerOptions.MaxTransactionIdLength + 1)), Enterprise, options).Problem!.StatusCode);
        Assert.Equal(400, TriggerValidation.Prepare(Request(tags: ["a", "b"]), Enterprise, options).Problem!.StatusCode);
        Assert.Equal(400, TriggerValidation.Prepare(Request(tags: [""]), Enterprise, options).Problem!.StatusCode);
        Assert.Null(TriggerValidation.Prepare(Request(tags: ["a"]), Enterprise, options).Problem);
    }
}
