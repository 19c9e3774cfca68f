using System.Globalization;
using System.Text.Json;

namespace XNovu.Core.Json;

/// <summary>
/// Nullable properties for <see cref="Utf8JsonWriter"/>, as the rows handed to PostgreSQL's
/// <c>jsonb_to_recordset</c> need them: a column's value or an explicit JSON null.
/// </summary>
public static class JsonWriterExtensions
{
    public static void WriteNumberOrNull(this Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <param name="json">Already valid JSON (it is written unchecked), or null.</param>
    public static void WriteRawOrNull(this Utf8JsonWriter writer, string name, string? json)
    {
        writer.WritePropertyName(name);
        if (json is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(json, skipInputValidation: true);
        }
    }

    public static void WriteStringsOrNull(this Utf8JsonWriter writer, string name, IEnumerable<string>? values)
    {
        writer.WritePropertyName(name);
        if (values is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>A UTC time to the microsecond: PostgreSQL's precision, which a timestamptz column keeps.</summary>
    public static void WriteUtcTimestampOrNull(this Utf8JsonWriter writer, string name, DateTime? utc)
    {
        if (utc is { } timestamp)
        {
            writer.WriteString(name, timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
