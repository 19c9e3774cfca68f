using System.ComponentModel.DataAnnotations;
using XNovu.Dispatcher.Dispatch;

namespace XNovu.Tests.Unit.Dispatch;

/// <summary>The dispatcher's durations are checked at start: a zero or negative one would spin a loop or never retry.</summary>
public sealed class DispatcherOptionsTests
{
    [Theory]
    [InlineData(nameof(DispatcherOptions.BaseBackoff))]
    [InlineData(nameof(DispatcherOptions.MaxBackoff))]
    [InlineData(nameof(DispatcherOptions.SweepInterval))]
    [InlineData(nameof(DispatcherOptions.HeartbeatInterval))]
    [InlineData(nameof(DispatcherOptions.RestartBackoff))]
    [InlineData(nameof(DispatcherOptions.MaxRestartBackoff))]
    [InlineData(nameof(DispatcherOptions.StallTimeout))]
    public void A_zero_or_negative_duration_is_refused(string property)
    {
        Assert.Empty(Problems(new DispatcherOptions()));
        foreach (var value in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-1) })
        {
            var options = new DispatcherOptions();
            typeof(DispatcherOptions).GetProperty(property)!.SetValue(options, value);

            Assert.Contains(Problems(options), r => r.MemberNames.Contains(property));
        }
    }

    private static List<ValidationResult> Problems(DispatcherOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
