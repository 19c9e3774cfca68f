using XNovu.Api.Http;
using XNovu.Api.Triggers;
using XNovu.Core.Workflows;
using static XNovu.Tests.Unit.Triggers.TriggerFakes;

namespace XNovu.Tests.Unit.Triggers;

/// <summary>What a trigger must pass once its lookup is read (TriggerChecks.Resolve).</summary>
public sealed class TriggerChecksTests
{
    private readonly TriggerChecks _checks = Checks();

    [Fact]
    public void A_static_workflow_passes_with_no_workflow_row_and_no_stamp()
    {
        var (row, problem) = _checks.Resolve(Trigger(), Lookup());

        Assert.Null(problem);
        Assert.Equal(new ResolvedRow(null, null, null, null, null), row);
    }

    [Fact]
    public void An_own_workflow_shadows_the_static_one_and_its_row_and_stamp_are_resolved()
    {
        var (row, problem) = _checks.Resolve(Trigger(), Lookup(Own(StaticKey, categoryId: 11)));

        Assert.Null(problem);
        Assert.Equal(new ResolvedRow(7, 3, "123/456", 11, null), row);
    }

    [Fact]
    public void A_deactivated_own_workflow_is_409_even_where_a_static_one_has_its_key()
    {
        var (row, problem) = _checks.Resolve(Trigger(), Lookup(Own(StaticKey, deactivated: true)));

        Assert.Null(row);
        Assert.Equal(409, problem!.StatusCode);
        Assert.Contains("deactivated", problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unpublished_own_workflow_is_409()
    {
        var (_, problem) = _checks.Resolve(Trigger("own"), Lookup(Own("own", publishStatus: PublishStatuses.Draft)));

        Assert.Equal(409, problem!.StatusCode);
        Assert.Contains("not published", problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_workflow_is_404()
    {
        var (_, problem) = _checks.Resolve(Trigger("nobody-has-this"), Lookup());

        Assert.Equal(404, problem!.StatusCode);
    }

    [Fact]
    public void A_payload_against_the_static_workflows_schema_is_422_naming_the_field()
    {
        var (_, problem) = _checks.Resolve(Trigger(payload: """{"subject":"no body"}"""), Lookup());

        Assert.Equal(422, problem!.StatusCode);
        Assert.Equal(Problems.Types.Validation, problem.ProblemDetails.Type);
        Assert.Contains("body", string.Join(" ", ((Microsoft.AspNetCore.Http.HttpValidationProblemDetails)problem.ProblemDetails).Errors.Keys));
    }

    [Fact]
    public void A_trigger_without_a_category_takes_its_workflows_and_a_named_one_wins()
    {
        var lookup = Lookup(Own("own", categoryId: 11), categories: new() { ["billing"] = 21 }, priorities: new() { ["high"] = 31 });

        Assert.Equal(11, _checks.Resolve(Trigger("own"), lookup).Row!.CategoryId);
        var (row, _) = _checks.Resolve(Trigger("own", categoryCode: "billing", priorityCode: "high"), lookup);
        Assert.Equal((21L, 31L), (row!.CategoryId!.Value, row.PriorityId!.Value));
    }

    [Fact]
    public void Codes_this_enterprise_does_not_have_are_422_each()
    {
        var (_, problem) = _checks.Resolve(Trigger(categoryCode: "nope", priorityCode: "nope"), Lookup());

        var errors = ((Microsoft.AspNetCore.Http.HttpValidationProblemDetails)problem!.ProblemDetails).Errors;
        Assert.Equal(422, problem.StatusCode);
        Assert.Contains("categoryCode", errors.Keys);
        Assert.Contains("priorityCode", errors.Keys);
    }
}
