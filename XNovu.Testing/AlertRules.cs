using System.Text.RegularExpressions;

namespace XNovu.Testing;

/// <summary>One alert of deploy/prometheus/alerts.yml, as far as the checks need it.</summary>
public sealed record AlertRule(string Name, string? Expr, string? For, string? Severity, string? Summary);

/// <summary>
/// Reads the alerts file by indentation alone: enough for the shape it is written in (rules under
/// <c>groups[].rules</c>, block scalars with <c>|</c>), without a YAML package.
/// </summary>
public static partial class AlertRules
{
    public static string FilePath => Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "alerts.yml");

    private static readonly HashSet<string> PromQlWords = new(StringComparer.Ordinal)
    {
        "sum", "min", "max", "avg", "count", "by", "without", "rate", "irate", "increase", "on", "ignoring",
        "group_left", "group_right", "and", "or", "unless", "bool", "offset", "histogram_quantile", "abs", "absent",
    };

    /// <summary>Synthesised by Prometheus for every target, not served by the services.</summary>
    public static readonly IReadOnlySet<string> PrometheusOwn = new HashSet<string>(StringComparer.Ordinal) { "up" };

    public static IReadOnlyList<AlertRule> Parse(string yaml)
    {
        var lines = yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var rules = new List<AlertRule>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = AlertLine().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var ruleIndent = match.Groups["indent"].Length + 2; // the keys of a "- alert:" item sit after "- "
            var end = i + 1;
            while (end < lines.Length && (IsBlank(lines[end]) || Indent(lines[end]) >= ruleIndent))
            {
                end++;
            }

            var body = lines[(i + 1)..end];
            rules.Add(new AlertRule(
                Unquote(match.Groups["name"].Value),
                Value(body, ruleIndent, "expr"),
                Value(body, ruleIndent, "for"),
                Nested(body, ruleIndent, "labels", "severity"),
                Nested(body, ruleIndent, "annotations", "summary")));
            i = end - 1;
        }

        return rules;
    }

    /// <summary>The metric names an expression reads: identifiers outside label matchers, ranges and by-lists.</summary>
    public static IReadOnlySet<string> MetricNames(string expr)
    {
        var bare = Braces().Replace(expr, " ");
        bare = Brackets().Replace(bare, " ");
        bare = Grouping().Replace(bare, " ");
        bare = Quoted().Replace(bare, " ");
        return Identifier().Matches(bare)
            .Select(m => m.Value)
            .Where(name => !PromQlWords.Contains(name))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The label names an expression matches on, e.g. <c>http_response_status_code</c>.</summary>
    public static IReadOnlySet<string> LabelNames(string expr) =>
        Braces().Matches(expr)
            .SelectMany(m => LabelMatcher().Matches(m.Value).Select(l => l.Groups["label"].Value))
            .ToHashSet(StringComparer.Ordinal);

    private static string? Value(string[] body, int indent, string key)
    {
        for (var i = 0; i < body.Length; i++)
        {
            if (Indent(body[i]) != indent || !body[i].TrimStart().StartsWith(key + ":", StringComparison.Ordinal))
            {
                continue;
            }

            var inline = body[i].TrimStart()[(key.Length + 1)..].Trim();
            if (inline is not ("|" or ">" or "|-" or ">-"))
            {
                return inline.Length == 0 ? null : Unquote(inline);
            }

            var block = body[(i + 1)..].TakeWhile(l => IsBlank(l) || Indent(l) > indent).Select(l => l.Trim());
            var text = string.Join(' ', block).Trim();
            return text.Length == 0 ? null : text;
        }

        return null;
    }

    private static string? Nested(string[] body, int indent, string section, string key)
    {
        var start = Array.FindIndex(body, l => Indent(l) == indent && l.TrimStart().StartsWith(section + ":", StringComparison.Ordinal));
        if (start < 0)
        {
            return null;
        }

        var children = body[(start + 1)..].TakeWhile(l => IsBlank(l) || Indent(l) > indent).Where(l => !IsBlank(l)).ToArray();
        return children.Length == 0 ? null : Value(children, Indent(children[0]), key);
    }

    private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

    private static bool IsBlank(string line) => string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#');

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;

    [GeneratedRegex(@"^(?<indent> *)- alert:\s*(?<name>\S.*?)\s*$")]
    private static partial Regex AlertLine();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(by|without|on|ignoring)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"(?<label>[A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)")]
    private static partial Regex LabelMatcher();
}
