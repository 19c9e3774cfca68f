using System.Text.Json;
using System.Text.Unicode;

namespace XNovu.Core.Validation;

/// <summary>A text value that cannot be stored, and where it is (<c>payload.items[2].name</c>).</summary>
public sealed record TextFault(string Field, string Message);

/// <summary>
/// Finds text that PostgreSQL refuses in <c>text</c> and <c>jsonb</c> (a NUL character) or that is not
/// Unicode at all (an unpaired surrogate, invalid UTF-8), so that it is a 400 naming the field before any SQL
/// runs, never a 500 from the database. One rule for every endpoint: the API applies it to every JSON body,
/// query value, route value and header it reads.
/// </summary>
public static class TextSafety
{
    public const string NulMessage = "must not contain NUL characters (\\u0000).";
    public const string SurrogateMessage = "must not contain unpaired surrogates (\\uD800-\\uDFFF alone).";
    public const string Utf8Message = "is not valid UTF-8.";

    /// <summary>Deeper JSON is refused by the API's serializer as well; the scan stops at the same depth.</summary>
    public const int MaxJsonDepth = 64;

    /// <summary>Null when <paramref name="value"/> can be stored, else why not.</summary>
    public static string? Explain(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return NulMessage;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return SurrogateMessage;
            }
        }

        return null;
    }

    /// <summary>
    /// The first unstorable string (property names included) of a UTF-8 JSON document, or null. Malformed JSON
    /// answers null: the endpoint's own reading reports it, naming the field.
    /// </summary>
    public static TextFault? Scan(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxJsonDepth });
        var path = new JsonPathTracker();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Enter(reader.TokenType == JsonTokenType.StartArray);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.Leave();
                        break;
                    case JsonTokenType.PropertyName:
                        var (name, nameFault) = Read(ref reader);
                        path.Property(nameFault is null ? name ?? string.Empty : Printable(name));
                        if (nameFault is not null)
                        {
                            return new TextFault(path.ToString(), nameFault);
                        }

                        break;
                    case JsonTokenType.String:
                        path.Value();
                        if (Read(ref reader).Fault is { } fault)
                        {
                            return new TextFault(path.ToString(), fault);
                        }

                        break;
                    default:
                        path.Value();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    /// <summary>The same check over a parsed element; <paramref name="field"/> names the element itself.</summary>
    public static TextFault? Scan(JsonElement element, string field = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Check(element, field);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var raw = SafeName(property);
                    var name = Join(field, raw);
                    if (Explain(raw) is { } nameFault)
                    {
                        return new TextFault(Join(field, Printable(raw)), nameFault);
                    }

                    if (Scan(property.Value, name) is { } fault)
                    {
                        return fault;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Scan(item, $"{field}[{index++}]") is { } fault)
                    {
                        return fault;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static TextFault? Check(JsonElement element, string field)
    {
        try
        {
            return Explain(element.GetString()) is { } message ? new TextFault(field, message) : null;
        }
        catch (InvalidOperationException)
        {
            return new TextFault(field, SurrogateMessage);
        }
    }

    private static string SafeName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return "\uD800"; // reported by Explain as an unpaired surrogate
        }
    }

    /// <summary>A refused name as it can be shown in an error: its NUL characters escaped.</summary>
    private static string Printable(string? name)
    {
        if (name is null)
        {
            return "?";
        }

        var text = new System.Text.StringBuilder(name.Length);
        foreach (var c in name)
        {
            _ = c == '\0' || char.IsSurrogate(c) ? text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}") : text.Append(c);
        }

        return text.ToString();
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    private static (string? Value, string? Fault) Read(ref Utf8JsonReader reader)
    {
        // Unescaped text is the raw bytes: JSON forbids raw control characters, so only UTF-8 validity is left.
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return Utf8.IsValid(reader.ValueSpan)
                ? (reader.TokenType == JsonTokenType.PropertyName ? reader.GetString() : null, null)
                : (null, Utf8Message);
        }

        try
        {
            var value = reader.GetString();
            return (value, Explain(value));
        }
        catch (InvalidOperationException)
        {
            return (null, SurrogateMessage);
        }
    }

    /// <summary>Where the reader is, as the dotted path with indexes that the API's field errors use.</summary>
    private sealed class JsonPathTracker
    {
        private readonly List<(bool IsArray, int Index, string? Name)> _frames = [];

        public void Enter(bool isArray)
        {
            Value();
            _frames.Add((isArray, -1, null));
        }

        public void Leave() => _frames.RemoveAt(_frames.Count - 1);

        public void Property(string name) => _frames[^1] = (false, -1, name);

        /// <summary>A value starts: in an array it is the next item.</summary>
        public void Value()
        {
            if (_frames.Count > 0 && _frames[^1].IsArray)
            {
                _frames[^1] = (true, _frames[^1].Index + 1, null);
            }
        }

        public override string ToString()
        {
            var text = new System.Text.StringBuilder();
            foreach (var (isArray, index, name) in _frames)
            {
                if (isArray && index >= 0)
                {
                    text.Append('[').Append(index).Append(']');
                }
                else if (!isArray && name is not null)
                {
                    text.Append(text.Length == 0 ? string.Empty : ".").Append(name);
                }
            }

            return text.Length == 0 ? "body" : text.ToString();
        }
    }
}
