using System.Net;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace ChatAdvisor.Tests.Api;

/// <summary>
/// The chat widget on another site, in headless Chromium (tests/js/webchat/e2e.mjs, scenario <c>embed</c>): two
/// small sites on other loopback ports serve pages carrying the embed.js tag (and CSS that would restyle any button
/// and iframe it reaches); the first is in <c>Embed:AllowedOrigins</c>, the second is not. Screenshots go to
/// artifacts/webchat/embed-*.png.
/// </summary>
public sealed class EmbedBrowserTests(ITestOutputHelper output)
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [Fact]
    public async Task Widget_OnAnotherSite_InChromium_Passes()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install chromium; .ci/run does it).");
        string? advisor = null;
        await using var allowedSite = await HostSite.StartAsync(() => advisor!);
        await using var refusedSite = await HostSite.StartAsync(() => advisor!);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Embed:AllowedOrigins:0"] = allowedSite.Address });
        advisor = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var artifacts = Path.Combine(RepoPaths.Root, "artifacts", "webchat");
        Directory.CreateDirectory(artifacts);

        var result = await NodeProcess.RunAsync(
            Path.Combine(RepoPaths.Root, "tests", "js", "webchat"),
            ["e2e.mjs", "embed", server.BaseAddress.ToString(), artifacts, allowedSite.Address + "/", refusedSite.Address + "/"],
            new Dictionary<string, string> { ["CHROMIUM_PATH"] = Chromium },
            timeout: TimeSpan.FromMinutes(5));

        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEmpty(Directory.GetFiles(artifacts, "embed-*.png"));
    }

    /// <summary>
    /// A host site: <c>/</c> and <c>/second</c>, each with the widget's script tag, and <c>/plain</c>, whose tag opens
    /// the panel on load, on the left, without starter questions.
    /// </summary>
    private sealed class HostSite : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private HostSite(WebApplication app)
        {
            _app = app;
            Address = LoopbackApp.Address(app);
        }

        /// <summary>The site's origin, such as http://127.0.0.1:41235.</summary>
        public string Address { get; }

        public static async Task<HostSite> StartAsync(Func<string> advisor)
        {
            var app = LoopbackApp.CreateBuilder().Build();
            const string Styled = "data-title=\"Framework helper\" data-accent=\"#6b2fa0\"";
            app.MapGet("/", () => Page(advisor(), Styled, "Docs home", "/second", "Second page"));
            app.MapGet("/second", () => Page(advisor(), Styled, "Second page of the docs", "/", "First page"));
            app.MapGet("/plain", () => Page(advisor(), "data-open=\"true\" data-position=\"left\" data-starters=\"false\"", "Plain page", "/", "First page"));
            await app.StartAsync();
            return new HostSite(app);
        }

        private static IResult Page(string advisor, string attributes, string title, string link, string linkText)
            => Results.Content($$"""
                <!doctype html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <meta name="viewport" content="width=device-width, initial-scale=1">
                  <title>{{title}}</title>
                  <style>
                    * { font-family: "Comic Sans MS", cursive !important; letter-spacing: 0.5px; }
                    button { background: hotpink !important; border-radius: 0 !important; }
                    iframe { border: 12px solid red !important; }
                  </style>
                </head>
                <body>
                  <header><p>Example documentation</p></header>
                  <main>
                    <h1>{{title}}</h1>
                    <p>A page of a site that shows the advisor's chat widget.</p>
                    <p><a href="{{link}}">{{linkText}}</a></p>
                  </main>
                  <script src="{{WebUtility.HtmlEncode(advisor)}}/embed.js" async {{attributes}}></script>
                </body>
                </html>
                """, "text/html; charset=utf-8");

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
