using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Channels.DirectLine;

/// <summary>One server for the Node checks of this class; each check uses its own conversations.</summary>
public sealed class DirectLineServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The channel checked with the official client library, botframework-directlinejs (tests/js/webchat/directline.mjs),
/// against a real server: the echo and the reply in order over WebSocket and over polling, resuming with a
/// watermark, refreshing the token, and another conversation's token refused.
/// </summary>
public sealed class DirectLineClientTests(DirectLineServerFixture fixture) : IClassFixture<DirectLineServerFixture>
{
    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    [InlineData("reconnect")]
    [InlineData("refresh")]
    [InlineData("foreign")]
    public async Task DirectLineJs_Scenario_Passes(string scenario)
    {
        var result = await NodeProcess.RunAsync(
            Path.Combine(RepoPaths.Root, "tests", "js", "webchat"),
            ["directline.mjs", scenario, fixture.Server.BaseAddress.ToString()],
            timeout: TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok - " + scenario, result.StandardOutput, StringComparison.Ordinal);
    }
}
