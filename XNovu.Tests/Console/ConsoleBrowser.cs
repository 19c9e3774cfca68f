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
    /// <remarks>
    /// The mark must name the path the browser is on (<c>ReadyMark</c>): after an in-app navigation the previous
    /// page's mark can still be in the DOM, and a click on the new page before its circuit is live does nothing (two
    /// CI runs lost a click that way).
    /// </remarks>
    public static async Task WaitInteractiveAsync(IPage page)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "() => { const m = document.querySelector('[data-ready-path]'); return m !== null && m.dataset.readyPath === location.pathname; }");
        }
        catch (TimeoutException e)
        {
            // What the page showed instead: the marks present (a stale path?), the location, Blazor's reconnection
            // dialog (a circuit that did not connect), so that a failure says which.
            var seen = await page.EvaluateAsync<string>(
                """
                () => JSON.stringify({
                  location: location.pathname,
                  marks: [...document.querySelectorAll('[data-ready-path]')].map(m => m.dataset.readyPath),
                  ready: [...document.querySelectorAll('[data-ready]')].map(m => m.dataset.ready),
                  reconnect: document.querySelector('#components-reconnect-modal')?.className ?? null,
                  heading: document.querySelector('main h1')?.textContent ?? null,
                })
                """);
            throw new TimeoutException($"The page's circuit was not live in time: {seen}", e);
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
