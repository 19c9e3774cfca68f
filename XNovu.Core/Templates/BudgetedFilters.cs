using System.Collections;
using DotLiquid;

namespace XNovu.Core.Templates;

/// <summary>
/// DotLiquid's standard filters that can build a longer string or a longer list than they were given,
/// each checked against the <see cref="RenderBudget"/> before it builds anything and then handed to the
/// standard one. Each keeps the standard signature (DotLiquid replaces a filter only by one with as many
/// arguments), so templates see no difference until a value would outgrow the budget.
/// </summary>
internal static class BudgetedFilters
{
    public static string? Append(string? input, string? @string)
    {
        RenderBudget.Ensure((long)(input?.Length ?? 0) + (@string?.Length ?? 0));
        return StandardFilters.Append(input, @string);
    }

    public static string? Prepend(string? input, string? @string)
    {
        RenderBudget.Ensure((long)(input?.Length ?? 0) + (@string?.Length ?? 0));
        return StandardFilters.Prepend(input, @string);
    }

    public static string? Replace(Context context, string? input, string? @string, string? replacement = "")
    {
        RenderBudget.Ensure(ReplacedLength(input, @string, replacement, all: true));
        return StandardFilters.Replace(context, input, @string, replacement);
    }

    public static string? ReplaceFirst(Context context, string? input, string? @string, string? replacement = "")
    {
        RenderBudget.Ensure(ReplacedLength(input, @string, replacement, all: false));
        return StandardFilters.ReplaceFirst(context, input, @string, replacement);
    }

    public static string? Join(IEnumerable? input, string? glue = " ")
    {
        if (input is null)
        {
            return null;
        }

        // Measured item by item, so that a million copies of a long string are refused before they are joined.
        long length = 0;
        var first = true;
        foreach (var item in input)
        {
            length += XNovuFilters.Text(item).Length + (first ? 0 : glue?.Length ?? 0);
            first = false;
            RenderBudget.Ensure(length);
        }

        return StandardFilters.Join(input, glue);
    }

    public static string? UrlEncode(string? input)
    {
        RenderBudget.Ensure(3L * (input?.Length ?? 0));
        return StandardFilters.UrlEncode(input);
    }

    public static string? Base64Encode(string? input)
    {
        RenderBudget.Ensure(4L * (input?.Length ?? 0));
        return StandardFilters.Base64Encode(input);
    }

    public static string? Base64UrlSafeEncode(string? input)
    {
        RenderBudget.Ensure(4L * (input?.Length ?? 0));
        return StandardFilters.Base64UrlSafeEncode(input);
    }

    public static IEnumerable? Concat(IEnumerable? left, IEnumerable? right)
    {
        RenderBudget.Ensure(Count(left) + Count(right));

        // Materialised: the standard one is lazy, so concatenating a concatenation would walk every level again.
        return StandardFilters.Concat(left, right)?.Cast<object?>().ToList();
    }

    public static IEnumerable? Sort(Context context, object? input, string? property = null)
    {
        RenderBudget.EnsureCount(input);
        return StandardFilters.Sort(context, input, property);
    }

    public static IEnumerable? SortNatural(object? input, string? property = null)
    {
        RenderBudget.EnsureCount(input);
        return StandardFilters.SortNatural(input, property);
    }

    public static IEnumerable? Map(IEnumerable? enumerableInput, string? property)
    {
        RenderBudget.EnsureCount(enumerableInput);
        return StandardFilters.Map(enumerableInput, property);
    }

    public static IEnumerable? Uniq(object? input)
    {
        RenderBudget.EnsureCount(input);
        return StandardFilters.Uniq(input);
    }

    public static IEnumerable? Compact(object? input)
    {
        RenderBudget.EnsureCount(input);
        return StandardFilters.Compact(input);
    }

    public static IEnumerable? Reverse(IEnumerable? input)
    {
        RenderBudget.EnsureCount(input);
        return StandardFilters.Reverse(input);
    }

    public static IEnumerable? Where(IEnumerable? input, string? propertyName, object? targetValue = null)
    {
        RenderBudget.EnsureCount(input);
        return StandardFilters.Where(input, propertyName, targetValue);
    }

    private static long Count(IEnumerable? items)
    {
        if (items is null)
        {
            return 0;
        }

        if (items is ICollection collection)
        {
            return collection.Count;
        }

        long count = 0;
        foreach (var _ in items)
        {
            RenderBudget.Ensure(++count);
        }

        return count;
    }

    private static long ReplacedLength(string? input, string? pattern, string? replacement, bool all)
    {
        if (string.IsNullOrEmpty(input) || string.IsNullOrEmpty(pattern))
        {
            return input?.Length ?? 0;
        }

        long occurrences = 0;
        for (var at = input.IndexOf(pattern, StringComparison.Ordinal); at >= 0; at = input.IndexOf(pattern, at + pattern.Length, StringComparison.Ordinal))
        {
            occurrences++;
            if (!all)
            {
                break;
            }
        }

        return input.Length + (occurrences * ((replacement?.Length ?? 0) - pattern.Length));
    }
}
