using ChatAdvisor.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ChatAdvisor.Tests.Channels.DirectLine;

/// <summary>
/// The web chat page in headless Chromium (Debian's, driven by playwright-core; tests/js/webchat/e2e.mjs), one
/// scenario per server:
/// <list type="bullet">
/// <item><c>chat</c>: ask, one source card per article, open a card, open the article at the highlighted quote, copy,
/// rate, follow a suggestion in order; a refusal's examples shown once; Markdown tables render as tables.</item>
/// <item><c>unreachable</c>: a plain message when the server cannot be reached.</item>
/// <item><c>performance</c>: bytes on the wire and time to the welcome, cold and warm, five visits each (medians
/// reported in the test output and artifacts/webchat/performance.json; only the bundle's compressed size and its
/// caching are asserted).</item>
/// <item><c>layout</c>: a phone's first screen (390×844) shows the message box and the suggestions; touch targets
/// ≥ 24 px; axe-core finds no violations on the phone, the desktop and in dark mode.</item>
/// <item><c>reload</c>: a reload keeps the conversation and its context; New conversation starts over.</item>
/// <item><c>offline</c>: a dropped connection shows a notice; a question typed meanwhile is sent once, answered in
/// order.</item>
/// <item><c>lost-response</c>: the response to a post is lost; the page posts it again and the server stores and answers
/// it once.</item>
/// </list>
/// Screenshots go to artifacts/webchat/.
/// </summary>
public sealed class WebChatBrowserTests(ITestOutputHelper output)
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [Theory]
    [InlineData("chat")]
    [InlineData("unreachable")]
    [InlineData("performance")]
    [InlineData("layout")]
    [InlineData("reload")]
    [InlineData("offline")]
    [InlineData("lost-response")]
    public async Task WebChatPage_InChromium_Passes(string scenario)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install chromium; .ci/run does it).");
        await using var server = await TestServer.StartAsync();
        var artifacts = Path.Combine(RepoPaths.Root, "artifacts", "webchat");
        Directory.CreateDirectory(artifacts);

        var result = await NodeProcess.RunAsync(
            Path.Combine(RepoPaths.Root, "tests", "js", "webchat"),
            ["e2e.mjs", scenario, server.BaseAddress.ToString(), artifacts],
            new Dictionary<string, string> { ["CHROMIUM_PATH"] = Chromium },
            timeout: TimeSpan.FromMinutes(5));

        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEmpty(Directory.GetFiles(artifacts, scenario + "-*.png").Concat(Directory.GetFiles(artifacts, scenario + ".json")));
    }
}
