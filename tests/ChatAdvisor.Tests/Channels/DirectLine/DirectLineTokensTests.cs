using System.Security.Cryptography;
using System.Text;
using ChatAdvisor.Channels.DirectLine;
using ChatAdvisor.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Channels.DirectLine;

public sealed class DirectLineTokensTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static DirectLineTokens Create(ManualTime time, string? key = null)
    {
        var options = Options.Create(new DirectLineOptions
        {
            SigningKey = key ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            TokenLifetimeMinutes = 30,
        });
        var signingKey = new DirectLineSigningKey(options, Options.Create(new StorageOptions()), new ContentRootPath(Path.GetTempPath()), NullLogger<DirectLineSigningKey>.Instance);
        return new DirectLineTokens(signingKey, options, time);
    }

    [Fact]
    public void Validate_IssuedToken_GrantsItsUserAndConversation()
    {
        var tokens = Create(new ManualTime(Start));

        var grant = tokens.Validate(tokens.Issue("dl_user1", "dl-conversation1"));

        Assert.NotNull(grant);
        Assert.Equal("dl_user1", grant.UserId);
        Assert.Equal("dl-conversation1", grant.ConversationId);
        Assert.Equal(Start.AddMinutes(30), grant.Expires);
    }

    [Fact]
    public void Validate_AfterLifetime_Refuses()
    {
        var time = new ManualTime(Start);
        var tokens = Create(time);
        var token = tokens.Issue("dl_user1", "dl-conversation1");

        time.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull(tokens.Validate(token));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(tokens.Validate(token));
    }

    [Fact]
    public void Validate_PayloadRewrittenForAnotherConversation_Refuses()
    {
        var tokens = Create(new ManualTime(Start));
        var parts = tokens.Issue("dl_user1", "dl-mine").Split('.');
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(ToBase64(parts[1]))).Replace("dl-mine", "dl-them", StringComparison.Ordinal);
        var forged = parts[0] + "." + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "." + parts[2];

        Assert.Null(tokens.Validate(forged));
    }

    [Fact]
    public void Validate_TokenSignedWithAnotherKey_Refuses()
    {
        var mine = Create(new ManualTime(Start));
        var theirs = Create(new ManualTime(Start));

        Assert.Null(mine.Validate(theirs.Issue("dl_user1", "dl-conversation1")));
    }

    [Fact]
    public void Validate_StreamTokenUsedAsBearer_Refuses()
    {
        var tokens = Create(new ManualTime(Start));
        var streamToken = tokens.Issue("dl_user1", "dl-conversation1", DirectLineTokenScope.Stream);

        Assert.Null(tokens.Validate(streamToken));
        Assert.NotNull(tokens.Validate(streamToken, DirectLineTokenScope.Stream));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJ1c2VyIjoieCJ9.")]
    public void Validate_Garbage_Refuses(string token)
    {
        Assert.Null(Create(new ManualTime(Start)).Validate(token));
    }

    [Fact]
    public void Issue_Twice_GivesDifferentTokens()
    {
        var tokens = Create(new ManualTime(Start));

        Assert.NotEqual(tokens.Issue("dl_user1", "dl-c"), tokens.Issue("dl_user1", "dl-c"));
    }

    private static string ToBase64(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}
