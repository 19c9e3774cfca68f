using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using XNovu.Core.Validation;

namespace XNovu.Api.Http;

/// <summary>
/// Applies <see cref="FieldLimits"/> to every bound request record of every endpoint: a name over 200
/// characters, a description over 2,000, a key or code over 100, a template over 256 KB is a 422 naming the
/// field, before the handler runs. One filter rather than a check per handler, so a new endpoint cannot forget.
/// </summary>
internal static class FieldLimitFilter
{
    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, string Field, int Limit)[]> Limited = new();

    /// <summary>Wraps only the endpoints that bind a request record of this API; others pay nothing.</summary>
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var limited = factory.MethodInfo.GetParameters()
            .Select((parameter, index) => (Index: index, Limits: LimitsOf(parameter.ParameterType)))
            .Where(p => p.Limits.Length > 0)
            .ToArray();
        if (limited.Length == 0)
        {
            return next;
        }

        return async invocation =>
        {
            var errors = new ValidationErrors();
            foreach (var (index, limits) in limited)
            {
                if (invocation.Arguments[index] is not { } argument)
                {
                    continue;
                }

                foreach (var (property, field, limit) in limits)
                {
                    if (property.GetValue(argument) is string { } value && value.Length > limit)
                    {
                        errors.Add(field, $"must be at most {limit} characters; it has {value.Length}.");
                    }
                }
            }

            return errors.Any ? errors.ToProblem() : await next(invocation);
        };
    }

    /// <summary>The name the caller wrote: the JSON name, where a record renames its property.</summary>
    private static string FieldName(PropertyInfo property) =>
        property.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name
        ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    private static (PropertyInfo, string, int)[] LimitsOf(Type type) => Limited.GetOrAdd(type, static type =>
        type.Namespace?.StartsWith("XNovu.Api", StringComparison.Ordinal) == true && type.IsClass
            ? type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(property => property.PropertyType == typeof(string) && property.CanRead)
                .Select(property => (property, FieldName(property), FieldLimits.ForProperty(property.Name)))
                .Where(entry => entry.Item3 is not null)
                .Select(entry => (entry.property, entry.Item2, entry.Item3!.Value))
                .ToArray()
            : []);
}
