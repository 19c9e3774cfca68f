using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Console;

/// <summary>
/// A real Chromium, driven by Playwright, pointed at the AppHost's <c>console</c> resource. The browser is the
/// machine's own (Debian's <c>chromium</c>, or <c>XNOVU_CHROMIUM</c>): Playwright's download is not used.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string ChromiumVariable = "XNOVU_CHROMIUM";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri ConsoleUrl { get; private set; } = default!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public static async Task<ConsoleBrowser> StartAsync(XNovuAppFixture fixture)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("console", timeout.Token);

        var executable = Environment.GetEnvironmentVariable(ChromiumVariable) ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"No Chromium at {executable}: install it (Debian: apt-get install chromium) or set {ChromiumVariable}.");
        }

        // A Blazor round trip on two loaded cores can take longer than Playwright's 5 s default for an expectation.
        Assertions.SetDefaultExpectTimeout(20_000);
        var browser = new ConsoleBrowser { ConsoleUrl = fixture.App.GetEndpoint("console", "http") };
        browser._playwright = await Playwright.CreateAsync();
        browser._browser = await browser._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Chromium's own sandbox cannot start as root in a container; the pages tested are our own.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        return browser;
    }

    /// <summary>A fresh browser context (its own cookies) with one page on the console.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = ConsoleUrl.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Signs in through the form, with the keyboard only: focus the key, type it, press Enter; returns once the
    /// answer to the post has loaded (a page opened before then would abort the sign-in).
    /// </summary>
    public static async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("/signin");
        await page.FocusAsync("#key");
        await page.Keyboard.TypeAsync(key);
        await page.Keyboard.PressAsync("Enter");

        // The next page (its heading is not the sign-in one) or the refusal.
        await page.Locator("[data-testid=signin-error], [data-testid=problem], main h1:not(:text-is('Sign in'))").First.WaitForAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    /// <summary>Waits until an interactive page's circuit is live, so clicks reach the server.</summary>
    public static Task WaitInteractiveAsync(IPage page) => page.Locator("[data-ready]").WaitForAsync();

    /// <summary>
    /// Waits for one page's own ready mark (<c>data-page</c>): after an in-app navigation the previous page's mark can
    /// still be in the DOM.
    /// </summary>
    public static Task WaitInteractiveAsync(IPage page, string name) =>
        page.Locator($"[data-page='{name}'][data-ready]").WaitForAsync();

    /// <summary>
    /// Fills one field and submits, until <paramref name="shown"/> appears (three tries). Once in a full CI run the
    /// typed value and the submit were both gone 20 s later (the field empty, nothing loaded) on a page that had shown
    /// its ready mark: the circuit's first events can be lost on two loaded cores. A person would type again; so does
    /// this, and it still fails when the answer never comes.
    /// </summary>
    public static async Task FillAndSubmitUntilAsync(IPage page, string field, string value, string submit, ILocator shown)
    {
        for (var attempt = 1; ; attempt++)
        {
            await page.FillAsync(field, value);
            await Assertions.Expect(page.Locator(field)).ToHaveValueAsync(value);
            await page.ClickAsync(submit);
            try
            {
                await shown.First.WaitForAsync(new() { Timeout = 10_000 });
                return;
            }
            catch (System.TimeoutException) when (attempt < 3)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
