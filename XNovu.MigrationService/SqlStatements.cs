namespace XNovu.MigrationService;

/// <summary>
/// Splits a script into its top-level statements at each <c>;</c> outside comments, quoted strings, quoted
/// identifiers and dollar-quoted bodies. A script that runs outside a transaction sends one statement per command:
/// Npgsql sends several statements of one command as one batch, which PostgreSQL runs as an implicit transaction
/// block, where <c>CREATE INDEX CONCURRENTLY</c> is refused.
/// </summary>
public static class SqlStatements
{
    /// <summary>The statements of <paramref name="script"/>, trimmed, without their <c>;</c>; comments are kept.</summary>
    public static IReadOnlyList<string> Split(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var statements = new List<string>();
        var start = 0;
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            if (c == '-' && At(script, i, "--"))
            {
                i = IndexAfter(script, "\n", i + 2);
            }
            else if (c == '/' && At(script, i, "/*"))
            {
                i = BlockCommentEnd(script, i);
            }
            else if (c is '\'' or '"')
            {
                i = QuotedEnd(script, i, c);
            }
            else if (c == '$' && DollarTag(script, i) is { } tag)
            {
                i = IndexAfter(script, tag, i + tag.Length);
            }
            else if (c == ';')
            {
                Add(statements, script[start..i]);
                start = ++i;
            }
            else
            {
                i++;
            }
        }

        Add(statements, script[start..]);
        return statements;
    }

    /// <summary>The statement without its comments, strings and dollar-quoted bodies blanked, for matching keywords.</summary>
    public static string CodeOnly(string statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var code = new System.Text.StringBuilder(statement.Length);
        var i = 0;
        while (i < statement.Length)
        {
            var c = statement[i];
            var end = c switch
            {
                '-' when At(statement, i, "--") => IndexAfter(statement, "\n", i + 2),
                '/' when At(statement, i, "/*") => BlockCommentEnd(statement, i),
                '\'' => QuotedEnd(statement, i, '\''),
                '$' when DollarTag(statement, i) is { } tag => IndexAfter(statement, tag, i + tag.Length),
                _ => -1,
            };
            if (end < 0)
            {
                code.Append(c);
                i++;
            }
            else
            {
                // A string stays a string (''), so that a DEFAULT '{}' still reads as a constant.
                code.Append(c == '\'' ? "''" : c == '$' ? "$$" : " ");
                i = end;
            }
        }

        return code.ToString();
    }

    private static void Add(List<string> statements, string text)
    {
        var trimmed = text.Trim();
        if (CodeOnly(trimmed).Trim().Length > 0)
        {
            statements.Add(trimmed);
        }
    }

    private static bool At(string text, int index, string token) =>
        string.CompareOrdinal(text, index, token, 0, token.Length) == 0;

    private static int IndexAfter(string text, string token, int from)
    {
        var found = text.IndexOf(token, from, StringComparison.Ordinal);
        return found < 0 ? text.Length : found + token.Length;
    }

    /// <summary>PostgreSQL's block comments nest.</summary>
    private static int BlockCommentEnd(string text, int index)
    {
        var depth = 0;
        var i = index;
        while (i < text.Length)
        {
            if (At(text, i, "/*"))
            {
                depth++;
                i += 2;
            }
            else if (At(text, i, "*/"))
            {
                i += 2;
                if (--depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return text.Length;
    }

    /// <summary>A doubled quote inside is the quote itself; in an escape string (<c>E'...'</c>) a backslash escapes too.</summary>
    private static int QuotedEnd(string text, int index, char quote)
    {
        var escapes = quote == '\'' && index > 0 && text[index - 1] is 'E' or 'e'
            && (index == 1 || !(char.IsLetterOrDigit(text[index - 2]) || text[index - 2] == '_'));
        var i = index + 1;
        while (i < text.Length)
        {
            if (escapes && text[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return text.Length;
    }

    /// <summary><c>$$</c> or <c>$tag$</c> at <paramref name="index"/>, unless the <c>$</c> ends a word (<c>$1</c> is a parameter, not a tag).</summary>
    private static string? DollarTag(string text, int index)
    {
        if (index > 0 && (char.IsLetterOrDigit(text[index - 1]) || text[index - 1] == '_'))
        {
            return null;
        }

        var i = index + 1;
        while (i < text.Length && (char.IsLetter(text[i]) || text[i] == '_' || (i > index + 1 && char.IsDigit(text[i]))))
        {
            i++;
        }

        return i < text.Length && text[i] == '$' ? text[index..(i + 1)] : null;
    }
}
