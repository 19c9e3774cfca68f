using Cronos;
using Microsoft.Extensions.Options;
using XNovu.Api.Authentication;
using XNovu.Api.Enterprises;
using XNovu.Api.Http;

namespace XNovu.Api.Rules;

/// <summary>
/// Refuses a CRON rule that would fire more often than the enterprise may (<see cref="RuleLimitOptions.MinimumCronInterval"/>,
/// or the admin's floor for that enterprise): a 422 on <c>triggerConfig.cron</c>, nothing stored. A cron the
/// validation refuses anyway is left to it.
/// </summary>
internal sealed class CronIntervalFilter(EnterpriseStore enterprises, IOptionsMonitor<RuleLimitOptions> options) : IEndpointFilter
{
    // Enough consecutive occurrences to meet every gap of a schedule's cycle within a day or more.
    private const int SampledOccurrences = 2000;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.Arguments.OfType<RuleRequest>().FirstOrDefault();
        if (request is not { TriggerType: RuleValidation.Cron, TriggerConfig: { ValueKind: System.Text.Json.JsonValueKind.Object } config }
            || !config.TryGetProperty("cron", out var cronValue) || cronValue.ValueKind != System.Text.Json.JsonValueKind.String
            || cronValue.GetString() is not { } cron || RuleValidation.ExplainCron(cron) is not null)
        {
            return await next(context);
        }

        var http = context.HttpContext;
        var floorSeconds = await enterprises.MinCronIntervalSecondsAsync(http.User.EnterpriseId(), http.RequestAborted);
        var floor = floorSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.CurrentValue.MinimumCronInterval;
        var shortest = ShortestInterval(cron);
        if (shortest is { } interval && interval < floor)
        {
            return Problems.Validation(
                "triggerConfig.cron",
                $"fires every {interval.TotalSeconds:0.###} s at its most frequent; this enterprise's rules may fire at most once every {floor.TotalSeconds:0.###} s.");
        }

        return await next(context);
    }

    /// <summary>The shortest gap between two consecutive firings, or null if it fires at most once.</summary>
    public static TimeSpan? ShortestInterval(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var expression = CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        var from = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        TimeSpan? shortest = null;
        var previous = expression.GetNextOccurrence(from, inclusive: true);
        for (var i = 0; i < SampledOccurrences && previous is { } at; i++)
        {
            var next = expression.GetNextOccurrence(at);
            if (next is { } following && (shortest is null || following - at < shortest))
            {
                shortest = following - at;
            }

            previous = next;
        }

        return shortest;
    }
}
