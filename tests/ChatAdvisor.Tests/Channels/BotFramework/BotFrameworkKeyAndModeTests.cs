using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>A clock that can be moved forward; timers still run on real time.</summary>
public sealed class MovableTimeProvider : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

/// <summary>Key rollover, and the unauthenticated local mode.</summary>
public sealed class BotFrameworkKeyAndModeTests
{
    [Fact]
    public async Task ChannelKeys_RolledOver_UnknownKidRefetchesAtMostOncePerFewMinutes()
    {
        await using var channel = await FakeChannel.StartAsync();
        var clock = new MovableTimeProvider();
        await using var bot = await TestServer.StartAsync(channel.BotSettings(), builder => builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));

        var conversationId = "a:rollover-" + Guid.NewGuid().ToString("N");
        using (var first = await channel.PostAsync(bot.BaseAddress, channel.Activity("typing", conversationId), channel.CreateToken(channel.ServiceUrl)))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, channel.KeyRequests);

        // The channel rolls its key over. Right after a fetch the bot does not fetch again for an unknown kid…
        var newKey = new FakeKey("fake-key-2", RSA.Create(2048), ["msteams"]);
        lock (channel.PublishedKeys)
        {
            channel.PublishedKeys.Clear();
            channel.PublishedKeys.Add(newKey);
        }
        for (var i = 0; i < 3; i++)
        {
            using var refused = await channel.PostAsync(bot.BaseAddress, channel.Activity("typing", conversationId), channel.CreateToken(channel.ServiceUrl, key: newKey));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        Assert.Equal(1, channel.KeyRequests);

        // …but once a few minutes have passed, the unknown kid makes it fetch the new key set, once.
        clock.Offset = OpenIdMetadataCache.MinRefreshInterval + TimeSpan.FromSeconds(1);
        for (var i = 0; i < 3; i++)
        {
            using var accepted = await channel.PostAsync(bot.BaseAddress, channel.Activity("typing", conversationId), channel.CreateToken(channel.ServiceUrl, key: newKey));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        Assert.Equal(2, channel.KeyRequests);

        // The retired key no longer signs anything the bot accepts.
        using var retired = await channel.PostAsync(bot.BaseAddress, channel.Activity("typing", conversationId), channel.CreateToken(channel.ServiceUrl));
        Assert.Equal(HttpStatusCode.Unauthorized, retired.StatusCode);
    }

    [Fact]
    public async Task ChannelKeys_MetadataEndpointDown_RetriedSoonAfterwards()
    {
        await using var channel = await FakeChannel.StartAsync();
        channel.FailMetadata(1);
        var clock = new MovableTimeProvider();
        await using var bot = await TestServer.StartAsync(channel.BotSettings(), builder => builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var conversationId = "a:outage-" + Guid.NewGuid().ToString("N");

        // The keys cannot be had, so even a genuine token is refused; the bot does not ask again at once…
        for (var i = 0; i < 2; i++)
        {
            using var refused = await channel.PostAsync(bot.BaseAddress, channel.Activity("typing", conversationId), channel.CreateToken(channel.ServiceUrl));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        Assert.Equal(1, channel.MetadataRequests);

        // …but well before the few minutes it waits after a successful fetch.
        clock.Offset = OpenIdMetadataCache.RetryAfterFailure + TimeSpan.FromSeconds(1);
        using var accepted = await channel.PostAsync(bot.BaseAddress, channel.Activity("typing", conversationId), channel.CreateToken(channel.ServiceUrl));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(2, channel.MetadataRequests);
    }

    [Fact]
    public async Task ConnectorToken_NearExpiry_RenewedOnlyThen()
    {
        await using var channel = await FakeChannel.StartAsync();
        var clock = new MovableTimeProvider();
        await using var bot = await TestServer.StartAsync(channel.BotSettings(), builder => builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));

        async Task WelcomeAsync()
        {
            var conversationId = "a:token-" + Guid.NewGuid().ToString("N");
            using var response = await channel.PostAsync(bot.BaseAddress, channel.Activity("conversationUpdate", conversationId), channel.CreateToken(channel.ServiceUrl));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var reply = await channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
            Assert.Equal("Bearer " + FakeChannel.AccessToken, reply.Authorization);
        }

        // The fake token endpoint issues tokens for an hour.
        await WelcomeAsync();
        clock.Offset = TimeSpan.FromMinutes(50);
        await WelcomeAsync();
        Assert.Equal(1, channel.TokenRequests);

        clock.Offset = TimeSpan.FromMinutes(56);
        await WelcomeAsync();
        Assert.Equal(2, channel.TokenRequests);
    }

    [Fact]
    public async Task PostActivity_NoAppIdAndListedLocalServiceUrl_RepliesWithoutAuthentication()
    {
        await using var channel = await FakeChannel.StartAsync();
        // The test server runs in Development, so local mode is on by default; the service URL must be listed.
        await using var bot = await TestServer.StartAsync(new Dictionary<string, string?> { ["BotFramework:LocalServiceUrls:0"] = channel.ServiceUrl });
        var conversationId = "a:local-" + Guid.NewGuid().ToString("N");
        var activity = channel.Activity("conversationUpdate", conversationId);
        activity["channelId"] = "emulator";

        using var response = await channel.PostAsync(bot.BaseAddress, activity, token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var welcome = await channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
        Assert.Equal("", welcome.Authorization);
        Assert.Equal(0, channel.TokenRequests);
        Assert.Equal(0, channel.KeyRequests);
    }

    [Theory]
    [InlineData("https://smba.trafficmanager.net/amer/")]
    [InlineData("http://10.0.0.8:3978/")]
    [InlineData("http://example.org/")]
    [InlineData("file:///etc/passwd")]
    public async Task PostActivity_NoAppIdAndRemoteServiceUrl_RefusedAndNothingSent(string serviceUrl)
    {
        await using var channel = await FakeChannel.StartAsync();
        await using var bot = await TestServer.StartAsync();
        var connector = bot.Services.GetRequiredService<ConnectorClient>();
        var activity = channel.Activity("conversationUpdate", "a:remote-" + Guid.NewGuid().ToString("N"));
        activity["serviceUrl"] = serviceUrl;

        using var response = await channel.PostAsync(bot.BaseAddress, activity, token: null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(connector.IsAllowedServiceUrl(serviceUrl));
        Assert.Empty(channel.Received);
    }

    [Fact]
    public async Task PostActivity_NoAppIdAndExpectReplies_RepliesInBody()
    {
        await using var bot = await TestServer.StartAsync();
        var activity = new JsonObject
        {
            ["type"] = "conversationUpdate",
            ["id"] = "1",
            ["channelId"] = "emulator",
            ["deliveryMode"] = "expectReplies",
            ["conversation"] = new JsonObject { ["id"] = "c1" },
            ["recipient"] = new JsonObject { ["id"] = "bot" },
            ["from"] = new JsonObject { ["id"] = "user" },
            ["membersAdded"] = new JsonArray(new JsonObject { ["id"] = "user" }),
        };

        using var response = await bot.Client.PostAsync("api/messages", new StringContent(activity.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Single(body["activities"]!.AsArray());
    }

    [Fact]
    public void TokenEndpoint_SingleAndMultiTenant_PointsAtTheRightAuthority()
    {
        var multi = new BotFrameworkOptions { AppId = FakeChannel.AppId };
        var single = new BotFrameworkOptions { AppId = FakeChannel.AppId, TenantId = FakeChannel.TenantId };
        var custom = new BotFrameworkOptions { AppId = FakeChannel.AppId, TenantId = FakeChannel.TenantId, TokenEndpoint = "https://login.example/token" };

        Assert.Equal("https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token", multi.ResolveTokenEndpoint().AbsoluteUri);
        Assert.Equal($"https://login.microsoftonline.com/{FakeChannel.TenantId}/oauth2/v2.0/token", single.ResolveTokenEndpoint().AbsoluteUri);
        Assert.Equal("https://login.example/token", custom.ResolveTokenEndpoint().AbsoluteUri);
    }

    [Theory]
    [InlineData("BotFramework:AppPassword", "", "BotFramework:AppPassword")]
    [InlineData("BotFramework:TenantId", "contoso", "BotFramework:TenantId")]
    [InlineData("BotFramework:OpenIdMetadataUrl", "not a url", "BotFramework:OpenIdMetadataUrl")]
    public async Task Start_InvalidBotFrameworkSettings_FailsNamingTheSetting(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["BotFramework:AppId"] = FakeChannel.AppId,
            ["BotFramework:AppPassword"] = FakeChannel.AppPassword,
            [key] = value,
        };

        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await TestServer.StartAsync(settings)).DisposeAsync());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeChannel.AppPassword, error.Message, StringComparison.Ordinal);
    }
}
