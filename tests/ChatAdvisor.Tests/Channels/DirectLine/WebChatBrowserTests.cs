using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Channels.DirectLine;

/// <summary>
/// The web chat page in headless Chromium (Debian's, driven by playwright-core; tests/js/webchat/e2e.mjs): ask, see
/// the answer and its citation list, open a citation, follow a suggestion; and the plain message when the server
/// cannot be reached. Screenshots go to artifacts/webchat/.
/// </summary>
public sealed class WebChatBrowserTests
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [Theory]
    [InlineData("chat")]
    [InlineData("unreachable")]
    public async Task WebChatPage_InChromium_Passes(string scenario)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install chromium; .ci/run does it).");
        await using var server = await TestServer.StartAsync();
        var screenshot = Path.Combine(RepoPaths.Root, "artifacts", "webchat", scenario + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);

        var result = await NodeProcess.RunAsync(
            Path.Combine(RepoPaths.Root, "tests", "js", "webchat"),
            ["e2e.mjs", scenario, server.BaseAddress.ToString(), screenshot],
            new Dictionary<string, string> { ["CHROMIUM_PATH"] = Chromium },
            timeout: TimeSpan.FromMinutes(4));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(screenshot), "the screenshot was saved");
    }
}
