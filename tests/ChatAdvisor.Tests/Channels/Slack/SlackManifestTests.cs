using System.Net;
using System.Text.RegularExpressions;

namespace ChatAdvisor.Tests.Channels.Slack;

public sealed partial class SlackManifestTests
{
    [Fact]
    public async Task Manifest_RequestUrls_AreServedAndSignatureChecked()
    {
        var manifest = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "infra", "slack", "manifest.yml"));
        var paths = RequestUrl().Matches(manifest).Select(m => new Uri(m.Groups[1].Value).AbsolutePath).ToList();
        Assert.Equal(["/api/slack/events", "/api/slack/interactions"], paths);

        await using var harness = await SlackHarness.StartAsync();
        foreach (var path in paths)
        {
            // Served (not 404/405) and refused without a signature.
            var response = await harness.PostRawAsync(path, "{}", "application/json", new Dictionary<string, string>());
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [GeneratedRegex(@"request_url:\s*(\S+)")]
    private static partial Regex RequestUrl();
}
