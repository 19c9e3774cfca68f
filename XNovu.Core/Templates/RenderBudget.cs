using System.Collections;
using System.Globalization;
using System.Text;

namespace XNovu.Core.Templates;

/// <summary>
/// What one render may spend: its time (a cancellation token the engine cancels at
/// <see cref="TemplateEngineOptions.RenderTimeout"/>) and the length of anything it builds, a value or the
/// output (<see cref="TemplateEngineOptions.MaxOutputLength"/>, in characters; lists are held to the same
/// number of items). DotLiquid checks its token only between nodes, so the filters that can grow a value or
/// take time check here too, before they build anything: a template doubling a string fails at about the
/// limit, long before memory runs out.
/// </summary>
/// <remarks>
/// DotLiquid calls filters as static methods with no handle on the render, so the budget is thread-static,
/// set by the engine around its own synchronous render calls as <see cref="HtmlOutput"/> is. Outside them
/// (anyone else's DotLiquid use) nothing is checked.
/// </remarks>
internal sealed class RenderBudget(int maxLength, CancellationToken cancellationToken)
{
    [ThreadStatic]
    private static RenderBudget? _current;

    public int MaxLength { get; } = maxLength;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public static Scope Begin(RenderBudget budget)
    {
        var previous = _current;
        _current = budget;
        return new Scope(previous);
    }

    /// <summary>Throws if the render is out of time or <paramref name="length"/> is more than it may build.</summary>
    public static void Ensure(long length)
    {
        if (_current is not { } budget)
        {
            return;
        }

        budget.CancellationToken.ThrowIfCancellationRequested();
        if (length > budget.MaxLength)
        {
            throw TooLarge(budget.MaxLength);
        }
    }

    /// <summary>Counts a sequence's items (lazily, stopping past the limit) before a filter goes through it.</summary>
    public static void EnsureCount(object? items)
    {
        if (_current is not { } budget || items is null or string)
        {
            return;
        }

        if (items is ICollection collection)
        {
            Ensure(collection.Count);
            return;
        }

        if (items is IEnumerable sequence)
        {
            long count = 0;
            foreach (var _ in sequence)
            {
                if (++count > budget.MaxLength)
                {
                    Ensure(count);
                }
            }
        }
    }

    /// <summary>A writer that refuses to grow past the budget: a render's output, or a captured block.</summary>
    public static TextWriter Writer(IFormatProvider? formatProvider) =>
        _current is { } budget ? new BoundedWriter(budget, formatProvider) : new StringWriter(formatProvider);

    internal static TemplateRenderException TooLarge(int maxLength) => new(
        TemplateErrorKind.Budget,
        string.Create(CultureInfo.InvariantCulture, $"The template built a value or an output longer than {maxLength:N0} characters, the most one render may produce."));

    internal static TemplateRenderException TooLargeFor(string filter, int maxLength) => new(
        TemplateErrorKind.Budget,
        string.Create(CultureInfo.InvariantCulture, $"{filter} takes at most {maxLength:N0} characters in one call."));

    public readonly struct Scope(RenderBudget? previous) : IDisposable
    {
        public void Dispose() => _current = previous;
    }

    private sealed class BoundedWriter(RenderBudget budget, IFormatProvider? formatProvider) : StringWriter(formatProvider)
    {
        public override void Write(char value)
        {
            Reserve(1);
            base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Reserve(count);
            base.Write(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Reserve(buffer.Length);
            base.Write(buffer);
        }

        public override void Write(string? value)
        {
            Reserve(value?.Length ?? 0);
            base.Write(value);
        }

        public override void Write(StringBuilder? value)
        {
            Reserve(value?.Length ?? 0);
            base.Write(value);
        }

        private void Reserve(int count)
        {
            budget.CancellationToken.ThrowIfCancellationRequested();
            if ((long)GetStringBuilder().Length + count > budget.MaxLength)
            {
                throw TooLarge(budget.MaxLength);
            }
        }
    }
}
