namespace XNovu.Tests.Infrastructure;

/// <summary>
/// A test that runs only when the environment variable it names is <c>1</c>, and is reported as skipped otherwise,
/// with the reason. For a test whose feature is not yet finished (it is known to fail), so the suite stays an honest
/// gate for everything else while the test stays in the code, runnable on demand. xunit 2 has no skip at run time,
/// hence a Fact whose Skip is decided when the attribute is made.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OptInFactAttribute : FactAttribute
{
    public OptInFactAttribute(string variable, string reason)
    {
        if (Environment.GetEnvironmentVariable(variable) != "1")
        {
            Skip = $"{reason} Run it with {variable}=1.";
        }
    }
}
