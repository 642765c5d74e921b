using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>
/// The bot's token validator against an independent reference: the Bot Framework SDK for JavaScript
/// (botframework-connector) checks the same tokens against the same fake channel's keys.
/// </summary>
public sealed class BotFrameworkSdkParityTests(BotFrameworkFixture fixture) : IClassFixture<BotFrameworkFixture>
{
    // Where the bot is deliberately stricter than the SDK: the SDK's JWT library accepts a token without "exp",
    // which would be valid forever; the bot refuses it.
    private static readonly HashSet<string> StricterThanSdk = ["no exp"];

    [Fact]
    public async Task ChannelToken_SameTokensAsTheSdk_SameVerdicts()
    {
        var channel = fixture.Channel;
        var names = new[] { "valid" }.Concat(BotFrameworkAuthenticationTests.Forgeries.Select(row => (string)row[0])).ToList();
        var cases = new JsonArray();
        var ours = new Dictionary<string, bool>();
        foreach (var name in names)
        {
            var activity = channel.Activity("typing", "a:parity-" + Guid.NewGuid().ToString("N"));
            var (token, scheme) = name == "valid" ? (channel.CreateToken(channel.ServiceUrl), "Bearer") : channel.Forge(name, activity);

            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Bot.BaseAddress, "api/messages"))
            {
                Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            if (token is not null)
                request.Headers.Authorization = new(scheme, token);
            using var response = await channel.Http.SendAsync(request);
            ours[name] = response.StatusCode == HttpStatusCode.OK;

            cases.Add(new JsonObject
            {
                ["name"] = name,
                ["authorization"] = token is null ? "" : scheme + " " + token,
                ["serviceUrl"] = activity["serviceUrl"]!.GetValue<string>(),
                ["channelId"] = activity["channelId"]!.GetValue<string>(),
            });
        }

        var input = Path.Combine(Path.GetTempPath(), "bf-parity-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(input, new JsonObject
        {
            ["openIdMetadataUrl"] = channel.OpenIdMetadataUrl,
            ["appId"] = FakeChannel.AppId,
            ["cases"] = cases,
        }.ToJsonString());
        try
        {
            var result = await NodeProcess.RunAsync(Path.Combine(RepoPaths.Root, "tests", "js", "botframework-auth"), ["check-tokens.js", input]);
            Assert.True(result.ExitCode == 0, result.ToString());
            var sdk = JsonNode.Parse(result.StandardOutput)!.AsArray()
                .ToDictionary(r => r!["name"]!.GetValue<string>(), r => (Accepted: r!["accepted"]!.GetValue<bool>(), Error: (string?)r["error"]));

            Assert.True(ours["valid"], "the bot refused the valid token");
            Assert.True(sdk["valid"].Accepted, "the SDK refused the valid token: " + sdk["valid"].Error);
            foreach (var name in names.Where(n => n != "valid"))
            {
                Assert.False(ours[name], $"the bot accepted the forgery \"{name}\"");
                if (StricterThanSdk.Contains(name))
                    Assert.True(sdk[name].Accepted, $"the SDK now refuses \"{name}\" too ({sdk[name].Error}); it can move out of StricterThanSdk");
                else
                    Assert.False(sdk[name].Accepted, $"the SDK accepted the forgery \"{name}\" that the bot refuses");
            }
        }
        finally
        {
            File.Delete(input);
        }
    }
}
