using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;

namespace XNovu.Api.Triggers;

/// <summary>The trigger API's problems beyond the shared ones, with the same stable types.</summary>
internal static class TriggerProblems
{
    public static ProblemHttpResult PayloadTooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", type: Problems.Types.PayloadTooLarge);

    public static ProblemHttpResult WorkflowNotFound(string workflowKey) =>
        Problems.NotFound($"Workflow '{workflowKey}' was not found.");

    public static ProblemHttpResult TransactionConflict(string transactionId) =>
        Problems.Conflict($"A notification with transactionId '{transactionId}' already exists.");

    public static ProblemHttpResult IdempotencyKeyReused() =>
        Problems.Validation(
            new Dictionary<string, string[]> { [TriggerEndpoints.IdempotencyKeyHeader] = ["was used with another request body within its window."] },
            "This Idempotency-Key was already used with another request body.");

    /// <summary>Any problem as the body of one bulk result: always with an <c>errors</c> map, empty when none.</summary>
    public static HttpValidationProblemDetails ToBulkError(ProblemHttpResult problem)
    {
        if (problem.ProblemDetails is HttpValidationProblemDetails validation)
        {
            return validation;
        }

        var error = new HttpValidationProblemDetails
        {
            Status = problem.ProblemDetails.Status,
            Type = problem.ProblemDetails.Type,
            Title = problem.ProblemDetails.Title,
            Detail = problem.ProblemDetails.Detail,
        };
        foreach (var (key, value) in problem.ProblemDetails.Extensions)
        {
            error.Extensions[key] = value;
        }

        return error;
    }
}
