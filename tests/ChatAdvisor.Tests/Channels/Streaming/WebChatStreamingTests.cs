using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Channels.Streaming;

/// <summary>
/// Web Chat livestreaming in headless Chromium (tests/js/webchat/streaming.mjs): with a model that writes slowly, the
/// page shows the answer growing in the bot's bubble, then the finished answer with its citations in its place.
/// </summary>
public sealed class WebChatStreamingTests
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [Fact]
    public async Task WebChatPage_SlowModel_TextGrowsOnScreen()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install chromium; .ci/run does it).");
        await using var model = await SlowModel.StartAsync(TimeSpan.FromMilliseconds(200));
        await using var server = await TestServer.StartAsync(SlowModel.Settings(model));
        var screenshot = Path.Combine(RepoPaths.Root, "artifacts", "webchat", "streaming.png");

        var result = await NodeProcess.RunAsync(
            Path.Combine(RepoPaths.Root, "tests", "js", "webchat"),
            ["streaming.mjs", server.BaseAddress.ToString(), screenshot],
            new Dictionary<string, string> { ["CHROMIUM_PATH"] = Chromium },
            timeout: TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
