using System.Net;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>A single-tenant bot (the fake channel's tenant) that also accepts Bot Framework Emulator tokens.</summary>
public sealed class SingleTenantBotFixture : BotFixtureBase
{
    protected override (string Key, string? Value)[] Settings =>
        [("BotFramework:TenantId", FakeChannel.TenantId), ("BotFramework:AllowEmulatorTokens", "true")];
}

/// <summary>
/// The token kinds besides the Bot Connector's: Entra ID v1 and v2 tokens of a single-tenant bot's own tenant, and
/// Emulator tokens when the setting allows them. Keys come from the fake Entra metadata, which has no endorsements.
/// </summary>
public sealed class BotFrameworkEntraAndEmulatorTests(SingleTenantBotFixture fixture) : IClassFixture<SingleTenantBotFixture>
{
    // The Emulator's two app tenants, for v1 and v2 tokens.
    private const string EmulatorTenantV1 = "d6d49420-f39b-4df7-a1dc-d59a935871db";
    private const string EmulatorTenantV2 = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
    private const string OtherTenant = "11111111-2222-3333-4444-555555555555";
    private const string OtherApp = "00000000-1111-2222-3333-444444444444";

    private FakeChannel Channel => fixture.Channel;

    [Theory]
    [InlineData("1.0")]
    [InlineData("2.0")]
    public async Task PostActivity_EntraTokenOfTheBotsTenant_Accepted(string version)
    {
        var conversationId = "a:entra-" + Guid.NewGuid().ToString("N");
        var token = Channel.CreateEntraToken(version, FakeChannel.TenantId);

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, Channel.Activity("conversationUpdate", conversationId), token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
        Assert.True(Channel.EntraMetadataRequests.GetValueOrDefault(FakeChannel.TenantId) >= 1);
    }

    [Theory]
    [InlineData("1.0", "another tenant", "wrong issuer")]
    [InlineData("2.0", "another tenant", "wrong issuer")]
    [InlineData("1.0", "wrong audience", "wrong audience")]
    [InlineData("2.0", "signed by the channel's key", "unknown kid")]
    [InlineData("2.0", "serviceurl mismatch", "serviceurl claim does not match")]
    [InlineData("1.0", "expired", "expired")]
    public async Task PostActivity_BadEntraToken_Refused(string version, string problem, string reason)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = problem switch
        {
            "another tenant" => Channel.CreateEntraToken(version, OtherTenant),
            "wrong audience" => Channel.CreateEntraToken(version, FakeChannel.TenantId, editClaims: c => c["aud"] = OtherApp),
            "serviceurl mismatch" => Channel.CreateEntraToken(version, FakeChannel.TenantId, editClaims: c => c["serviceurl"] = "https://attacker.example/"),
            "expired" => Channel.CreateEntraToken(version, FakeChannel.TenantId, editClaims: c => { c["nbf"] = now - 7200; c["exp"] = now - 360; }),
            // The Bot Connector's key does not speak for Entra ID: the tenant's key set is the only one consulted.
            "signed by the channel's key" => Channel.CreateToken(Channel.ServiceUrl, c => c["iss"] = $"https://login.microsoftonline.com/{FakeChannel.TenantId}/v2.0"),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        await AssertRefusedAsync(token, reason);
    }

    [Theory]
    [InlineData("1.0", EmulatorTenantV1)]
    [InlineData("2.0", EmulatorTenantV1)]
    [InlineData("1.0", EmulatorTenantV2)]
    [InlineData("2.0", EmulatorTenantV2)]
    public async Task PostActivity_EmulatorTokenWithTheSettingOn_Accepted(string version, string emulatorTenant)
    {
        var conversationId = "a:emulator-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("conversationUpdate", conversationId);
        activity["channelId"] = "emulator";

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateEntraToken(version, emulatorTenant));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
        // The Emulator's tokens are checked against Entra's common keys.
        Assert.True(Channel.EntraMetadataRequests.GetValueOrDefault("common") >= 1);
    }

    [Theory]
    [InlineData("1.0", "appid claim is not the bot's App ID")]
    [InlineData("2.0", "azp claim is not the bot's App ID")]
    public async Task PostActivity_EmulatorTokenOfAnotherApp_Refused(string version, string reason)
        => await AssertRefusedAsync(Channel.CreateEntraToken(version, EmulatorTenantV2, callerAppId: OtherApp), reason);

    [Fact]
    public async Task PostActivity_EmulatorTokenWithoutAppClaim_Refused()
        => await AssertRefusedAsync(Channel.CreateEntraToken("1.0", EmulatorTenantV1, editClaims: c => c.Remove("appid")), "appid claim is not the bot's App ID");

    [Fact]
    public async Task PostActivity_EmulatorTokenOfUnknownVersion_Refused()
        => await AssertRefusedAsync(Channel.CreateEntraToken("3.0", EmulatorTenantV1), "unknown emulator token version");

    [Fact]
    public async Task PostActivity_TokenWithCriticalHeader_Refused()
        => await AssertRefusedAsync(
            Channel.CreateToken(Channel.ServiceUrl, editHeader: h => h["crit"] = new System.Text.Json.Nodes.JsonArray("exp")),
            "critical header extensions not supported");

    [Fact]
    public async Task PostActivity_ChannelTokenInSingleTenantBot_StillAccepted()
    {
        var conversationId = "a:channel-" + Guid.NewGuid().ToString("N");
        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, Channel.Activity("typing", conversationId), Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task AssertRefusedAsync(string token, string reason)
    {
        var conversationId = "a:refused-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("conversationUpdate", conversationId);

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(fixture.Logs.Lines, l => l.Contains($"Refused activity {activity["id"]}: {reason}", StringComparison.Ordinal));
        Assert.Empty(Channel.ReceivedIn(conversationId));
    }
}

/// <summary>The new token kinds against a bot that has not asked for them.</summary>
public sealed class BotFrameworkTokenKindsOffTests(BotFrameworkFixture fixture) : IClassFixture<BotFrameworkFixture>
{
    [Theory]
    [InlineData("1.0", "d6d49420-f39b-4df7-a1dc-d59a935871db")]
    [InlineData("2.0", "f8cdef31-a31e-4b4a-93e4-5f571e91255a")]
    public async Task PostActivity_EmulatorTokenByDefault_Refused(string version, string emulatorTenant)
    {
        var channel = fixture.Channel;
        var activity = channel.Activity("conversationUpdate", "a:emulator-off-" + Guid.NewGuid().ToString("N"));
        activity["channelId"] = "emulator";

        using var response = await channel.PostAsync(fixture.Bot.BaseAddress, activity, channel.CreateEntraToken(version, emulatorTenant));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(fixture.Logs.Lines, l => l.Contains($"Refused activity {activity["id"]}: emulator tokens not allowed", StringComparison.Ordinal));
        Assert.False(channel.EntraMetadataRequests.ContainsKey("common"));
    }

    [Fact]
    public async Task PostActivity_EntraTokenInMultiTenantBot_Refused()
    {
        var channel = fixture.Channel;
        var activity = channel.Activity("conversationUpdate", "a:entra-off-" + Guid.NewGuid().ToString("N"));

        using var response = await channel.PostAsync(fixture.Bot.BaseAddress, activity, channel.CreateEntraToken("2.0", FakeChannel.TenantId));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(fixture.Logs.Lines, l => l.Contains($"Refused activity {activity["id"]}: wrong issuer", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("BotFramework:TenantId", "72f988bf-86f1-41af-91ab-2d7cd011db47")]
    [InlineData("BotFramework:AllowEmulatorTokens", "true")]
    public async Task Start_EntraMetadataUrlWithoutTenantPlaceholder_FailsNamingTheSetting(string key, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["BotFramework:AppId"] = FakeChannel.AppId,
            ["BotFramework:AppPassword"] = FakeChannel.AppPassword,
            ["BotFramework:EntraOpenIdMetadataUrl"] = "https://login.example/common/v2.0/.well-known/openid-configuration",
            [key] = value,
        };

        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await TestServer.StartAsync(settings)).DisposeAsync());

        Assert.Contains("BotFramework:EntraOpenIdMetadataUrl", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeChannel.AppPassword, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntraMetadataUrl_Default_IsTheTenantsV2Document()
    {
        var options = new BotFrameworkOptions { AppId = FakeChannel.AppId, TenantId = FakeChannel.TenantId };

        Assert.Equal(
            $"https://login.microsoftonline.com/{FakeChannel.TenantId}/v2.0/.well-known/openid-configuration",
            options.ResolveEntraOpenIdMetadataUrl(options.TenantId).AbsoluteUri);
    }
}
