using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using XNovu.Core.Templates;

namespace XNovu.Tests.Unit.Templates;

internal static class TemplateTesting
{
    public static readonly Guid Acme = Guid.Parse("0d7f5a8e-1c1b-4a55-9c6e-0f3f4d2a9a01");
    public static readonly Guid Globex = Guid.Parse("7b2c8d1e-5f6a-4b3c-8d9e-1a2b3c4d5e6f");

    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public static LiquidTemplateEngine Engine(InMemoryTemplateSource? source = null, TimeProvider? time = null, TemplateEngineOptions? options = null) =>
        new(source ?? new InMemoryTemplateSource(), Options.Create(options ?? new TemplateEngineOptions()), time ?? Clock());

    public static JsonElement JsonOf(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static RenderRequest Request(
        string body,
        NotificationChannel channel = NotificationChannel.Email,
        string? payload = null,
        string? subject = null,
        Guid? enterpriseId = null,
        SubscriberVariables? subscriber = null) =>
        new(enterpriseId ?? Acme, channel, subject, body, payload is null ? null : JsonOf(payload), subscriber);

    /// <summary>Renders a body as SMS, where nothing is encoded, so a filter's own output shows as it is.</summary>
    public static async Task<string> RenderPlainAsync(this LiquidTemplateEngine engine, string body, string? payload = null) =>
        (await engine.RenderAsync(Request(body, NotificationChannel.Sms, payload))).Body;
}
