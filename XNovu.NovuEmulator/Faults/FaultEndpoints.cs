using System.Globalization;
using XNovu.NovuEmulator.Events;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.Faults;

public static class FaultEndpoints
{
    private const string NovuStatusItem = "NovuEmulator.InjectedNovuStatus";

    public static IEndpointRouteBuilder MapFaults(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/emulator/faults").WithTags("Emulator");
        group.MapGet("/", (FaultStore faults) => TypedResults.Ok(faults.List()));
        group.MapPost("/", (FaultRequest request, FaultStore faults) =>
        {
            var problems = Validate(request);
            return problems.Count > 0
                ? Results.ValidationProblem(problems, type: "https://xnovu.dev/problems/emulator-fault-invalid")
                : Results.Created("/emulator/faults", faults.Add(request));
        });
        group.MapDelete("/", (FaultStore faults) =>
        {
            faults.Clear();
            return TypedResults.NoContent();
        });
        return routes;
    }

    /// <summary>
    /// Runs in front of the Novu routes: a failing fault answers before auth, as a proxy or an outage
    /// would, so it never records an event nor an idempotency record.
    /// </summary>
    public static IApplicationBuilder UseFaults(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var faults = context.RequestServices.GetRequiredService<FaultStore>();
        string? body = null;
        if (faults.AnyFilterOnBody() && context.Request.ContentLength is not 0)
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
        }

        var fault = faults.Take(context.Request, NovuApi.IsTrigger(context.Request), body);
        if (fault is null)
        {
            await next(context);
            return;
        }

        if (fault.LatencyMs is int latency)
        {
            var time = context.RequestServices.GetRequiredService<TimeProvider>();
            await Task.Delay(TimeSpan.FromMilliseconds(latency), time, context.RequestAborted);
        }

        if (fault.FailureStatus is int status)
        {
            if (fault.RetryAfterSeconds is int retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            }

            var message = status == StatusCodes.Status429TooManyRequests ? "API rate limit exceeded" : "Emulated fault";
            await NovuApi.WriteErrorAsync(context, status, message);
            return;
        }

        if (fault.NovuStatus is not null)
        {
            context.Items[NovuStatusItem] = fault.NovuStatus;
        }

        if (fault.AnswerLatencyMs is not int answerLatency)
        {
            await next(context);
            return;
        }

        // Done first, answered late: the answer is buffered while the work completes, then held back.
        var original = context.Response.Body;
        using var buffered = new MemoryStream();
        context.Response.Body = buffered;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        await Task.Delay(TimeSpan.FromMilliseconds(answerLatency), clock, context.RequestAborted);
        buffered.Position = 0;
        await buffered.CopyToAsync(original, context.RequestAborted);
    });

    /// <summary>The non-processed trigger status a fault asked for, if any.</summary>
    public static string? InjectedNovuStatus(this HttpContext context) =>
        context.Items.TryGetValue(NovuStatusItem, out var status) ? status as string : null;

    private static Dictionary<string, string[]> Validate(FaultRequest request)
    {
        var problems = new Dictionary<string, string[]>();
        if (request.StatusCode is null && request.RetryAfterSeconds is null && request.LatencyMs is null && request.NovuStatus is null
            && request.AnswerLatencyMs is null)
        {
            problems["fault"] = ["Give at least one of statusCode, retryAfterSeconds, latencyMs, answerLatencyMs, novuStatus."];
        }

        if (request.StatusCode is < 400 or > 599)
        {
            problems["statusCode"] = ["A failing status code is between 400 and 599."];
        }

        if (request.RetryAfterSeconds is < 0)
        {
            problems["retryAfterSeconds"] = ["Must not be negative."];
        }

        if (request.LatencyMs is < 0 or > 60_000)
        {
            problems["latencyMs"] = ["Between 0 and 60000."];
        }

        if (request.AnswerLatencyMs is < 0 or > 60_000)
        {
            problems["answerLatencyMs"] = ["Between 0 and 60000."];
        }

        if (request.NovuStatus is EventEndpoints.Processed)
        {
            problems["novuStatus"] = ["A fault's status is a failure: not 'processed'."];
        }

        if (request.Rate is < 0 or > 1)
        {
            problems["rate"] = ["A probability between 0 and 1."];
        }

        if (request.Count is < 1)
        {
            problems["count"] = ["At least 1."];
        }

        if (request.DurationSeconds is <= 0)
        {
            problems["durationSeconds"] = ["Greater than 0."];
        }

        return problems;
    }
}
