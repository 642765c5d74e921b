using System.Net;
using System.Text.Json.Nodes;
using ChatAdvisor.Channels;
using ChatAdvisor.Channels.Slack;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using Microsoft.Extensions.DependencyInjection;
using static ChatAdvisor.Tests.Channels.Slack.SlackHarness;

namespace ChatAdvisor.Tests.Channels.Slack;

/// <summary>The Slack channel end to end: signed requests into the real application, answers out to a fake Slack Web API.</summary>
public sealed class SlackEventsTests
{
    private const string InferenceQuestion = "Which framework should I use for a high-traffic ML inference API?";

    [Fact]
    public async Task Events_ValidMention_PostsOneThreadedAnswerWithSources()
    {
        await using var harness = await StartAsync();

        var response = await harness.PostEventAsync(Mention(harness.NewEventId(), "1763700100.000100", InferenceQuestion));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await harness.WaitUntilAnsweredAsync();

        var post = Assert.Single(harness.Slack.Calls);
        Assert.True(post.Delivered);
        Assert.Equal("chat.postMessage", post.Method);
        Assert.Equal("Bearer " + BotToken, post.Authorization);
        Assert.Equal(Channel, post.Channel);
        Assert.Equal("1763700100.000100", post.ThreadTs);

        // Every [n] marker of the answer has its source below it: the article's title and a verbatim excerpt.
        var markers = System.Text.RegularExpressions.Regex.Matches(string.Join('\n', post.BlockTexts("section")), @"\[(\d+)\]")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(markers);
        var sources = post.BlockTexts("context");
        var articles = await harness.Server.Services.GetRequiredService<Advisor>().GetArticlesAsync();
        foreach (var marker in markers)
        {
            var source = Assert.Single(sources, s => s.StartsWith($"*[{marker}]", StringComparison.Ordinal));
            var lines = source.Split('\n', 2);
            Assert.Contains(articles, a => lines[0].Contains(SlackText.Escape(a.Title), StringComparison.Ordinal));
            var excerpt = SlackText.Unescape(lines[1]).Trim('“', '”').TrimEnd('…');
            Assert.True(excerpt.Length >= 20, $"excerpt too short: {source}");
            Assert.Contains(articles, a => a.Text.Contains(excerpt, StringComparison.Ordinal));
        }
        Assert.Contains(post.Buttons, b => b.ActionId.StartsWith(SlackMessageRenderer.FollowUpAction, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("body changed after signing")]
    [InlineData("signed with another secret")]
    [InlineData("stale timestamp")]
    [InlineData("future timestamp")]
    [InlineData("no signature header")]
    [InlineData("no timestamp header")]
    [InlineData("no headers")]
    [InlineData("timestamp not a number")]
    public async Task Events_BadSignatureOrTimestamp_Returns401AndAnswersNothing(string defect)
    {
        await using var harness = await StartAsync();
        var body = Mention(harness.NewEventId(), "1763700100.000200", InferenceQuestion);
        var now = Now;
        var timestamp = defect switch
        {
            "stale timestamp" => now - 600,
            "future timestamp" => now + 600,
            _ => now,
        };
        var ts = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var secret = defect == "signed with another secret" ? "another-apps-signing-secret" : SigningSecret;
        var headers = new Dictionary<string, string>
        {
            ["X-Slack-Request-Timestamp"] = defect == "timestamp not a number" ? "yesterday" : ts,
            ["X-Slack-Signature"] = SlackSignatureVerifier.Sign(secret, ts, System.Text.Encoding.UTF8.GetBytes(body)),
        };
        if (defect is "no signature header" or "no headers")
            headers.Remove("X-Slack-Signature");
        if (defect is "no timestamp header" or "no headers")
            headers.Remove("X-Slack-Request-Timestamp");
        var sent = defect == "body changed after signing" ? body.Replace("high-traffic", "low-traffic", StringComparison.Ordinal) : body;

        var response = await harness.PostRawAsync("/api/slack/events", sent, "application/json", headers);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, harness.Server.Services.GetRequiredService<TurnQueue>().Pending);
        // The same event, properly signed, is answered: the refusal was the signature's doing, and it queued nothing.
        Assert.Equal(HttpStatusCode.OK, (await harness.PostEventAsync(body)).StatusCode);
        await harness.WaitUntilAnsweredAsync();
        Assert.Single(harness.Slack.Calls);
    }

    [Fact]
    public async Task Events_SameEventRetried_AnsweredOnce()
    {
        await using var harness = await StartAsync();
        var body = Mention(harness.NewEventId(), "1763700100.000300", InferenceQuestion);

        Assert.Equal(HttpStatusCode.OK, (await harness.PostEventAsync(body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await harness.PostEventAsync(body, retryNum: 1)).StatusCode);
        await harness.WaitUntilAnsweredAsync();
        Assert.Equal(HttpStatusCode.OK, (await harness.PostEventAsync(body, retryNum: 2)).StatusCode);
        await harness.WaitUntilAnsweredAsync();

        var post = Assert.Single(harness.Slack.Calls);
        Assert.Equal("1763700100.000300", post.ThreadTs);
    }

    [Theory]
    [InlineData("a bot's message in a DM")]
    [InlineData("a bot_message")]
    [InlineData("our own message")]
    [InlineData("a bot mentioning us")]
    [InlineData("an edited message")]
    public async Task Events_BotOrEditedMessage_Ignored(string kind)
    {
        await using var harness = await StartAsync();
        var body = kind switch
        {
            "a bot's message in a DM" => Message(harness.NewEventId(), "1763700100.000400", InferenceQuestion, DirectChannel, "im", botId: "B0OTHER1"),
            "a bot_message" => Message(harness.NewEventId(), "1763700100.000400", InferenceQuestion, DirectChannel, "im", user: null, botId: "B0OTHER1", subtype: "bot_message"),
            "our own message" => Message(harness.NewEventId(), "1763700100.000400", InferenceQuestion, DirectChannel, "im", user: BotUser),
            "a bot mentioning us" => Mention(harness.NewEventId(), "1763700100.000400", InferenceQuestion, botId: "B0OTHER1"),
            "an edited message" => Message(harness.NewEventId(), "1763700100.000400", InferenceQuestion, DirectChannel, "im", subtype: "message_changed"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        Assert.Equal(HttpStatusCode.OK, (await harness.PostEventAsync(body)).StatusCode);
        // A person's direct message after it is answered, and is the only thing answered.
        Assert.Equal(HttpStatusCode.OK, (await harness.PostEventAsync(Message(harness.NewEventId(), "1763700100.000401", InferenceQuestion, DirectChannel, "im"))).StatusCode);
        await harness.WaitUntilAnsweredAsync();

        var post = Assert.Single(harness.Slack.Calls);
        Assert.Equal(DirectChannel, post.Channel);
    }

    [Fact]
    public async Task Events_ReplyInThreadWithoutMention_ContinuesThreadConversation()
    {
        await using var harness = await StartAsync();
        const string thread = "1763700100.000500";
        var conversation = SlackInbox.ThreadConversationId(Team, Channel, thread);

        await harness.PostEventAsync(Mention(harness.NewEventId(), thread, "What are the pros and cons of Flask?"));
        await harness.WaitUntilAnsweredAsync();
        // A reply in the thread with no mention: Slack sends it as a plain message event (message.channels).
        await harness.PostEventAsync(Message(harness.NewEventId(), "1763700100.000600", "and what about its disadvantages?", Channel, "channel", threadTs: thread));
        // Replies elsewhere are not for us: a thread the bot is not in, and the channel itself.
        await harness.PostEventAsync(Message(harness.NewEventId(), "1763700100.000700", "unrelated chatter", Channel, "channel", threadTs: "1763700000.000001"));
        await harness.PostEventAsync(Message(harness.NewEventId(), "1763700100.000800", "more unrelated chatter", Channel, "channel"));
        await harness.WaitUntilAnsweredAsync();

        Assert.Equal(2, harness.Slack.Calls.Count);
        Assert.All(harness.Slack.Calls, call => Assert.Equal(thread, call.ThreadTs));
        var asked = harness.Logs.Lines.Where(l => l.Message.StartsWith("Turn ", StringComparison.Ordinal) && l.Message.Contains(": question ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, asked.Count);
        Assert.All(asked, line => Assert.Contains($" in {conversation}: question ", line.Message, StringComparison.Ordinal));
        Assert.True(ConversationIds.IsValid(conversation));
        // The follow-up was understood in the thread's context: "its" is Flask.
        var understood = harness.Slack.Calls[1].BlockTexts("context")[0];
        Assert.StartsWith("Answering: ", understood, StringComparison.Ordinal);
        Assert.Contains("Flask", understood, StringComparison.Ordinal);

        // The same words in a new thread start a new conversation, where "its" is not Flask.
        await harness.PostEventAsync(Mention(harness.NewEventId(), "1763700100.000900", "and what about its disadvantages?"));
        await harness.WaitUntilAnsweredAsync();
        Assert.DoesNotContain(harness.Slack.Calls[2].BlockTexts("context"), c => c.StartsWith("Answering: ", StringComparison.Ordinal) && c.Contains("Flask", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Events_MentionInFollowedThread_RaisesTwoEventsAnsweredOnce()
    {
        await using var harness = await StartAsync();
        const string thread = "1763700100.000900";
        await harness.PostEventAsync(Mention(harness.NewEventId(), thread, "What are the pros and cons of Flask?"));
        await harness.WaitUntilAnsweredAsync();

        // One message that mentions the bot in a thread it follows arrives as app_mention and as message.
        const string ts = "1763700100.001000";
        await harness.PostEventAsync(Mention(harness.NewEventId(), ts, "and FastAPI?", threadTs: thread));
        await harness.PostEventAsync(Message(harness.NewEventId(), ts, $"<@{BotUser}> and FastAPI?", Channel, "channel", threadTs: thread));
        await harness.WaitUntilAnsweredAsync();

        Assert.Equal(2, harness.Slack.Calls.Count);
    }

    [Fact]
    public async Task Events_DirectMessages_AnsweredInTheDmAsOneConversation()
    {
        await using var harness = await StartAsync();

        await harness.PostEventAsync(Message(harness.NewEventId(), "1763700100.001100", "What are the pros and cons of Flask?", DirectChannel, "im"));
        await harness.WaitUntilAnsweredAsync();
        await harness.PostEventAsync(Message(harness.NewEventId(), "1763700100.001200", "and its disadvantages?", DirectChannel, "im"));
        await harness.WaitUntilAnsweredAsync();

        Assert.Equal(2, harness.Slack.Calls.Count);
        Assert.All(harness.Slack.Calls, call => Assert.Equal(DirectChannel, call.Channel));
        Assert.All(harness.Slack.Calls, call => Assert.Null(call.ThreadTs));
        var conversation = SlackInbox.DirectConversationId(Team, DirectChannel);
        Assert.Equal(2, harness.Logs.Lines.Count(l => l.Message.Contains($" in {conversation}: question ", StringComparison.Ordinal)));
        Assert.Contains("Flask", harness.Slack.Calls[1].BlockTexts("context")[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(429, """{"ok":false,"error":"ratelimited"}""")]
    [InlineData(200, """{"ok":false,"error":"rate_limited"}""")]
    public async Task PostMessage_RateLimitedThenSuccess_DeliveredOnce(int status, string json)
    {
        await using var harness = await StartAsync();
        harness.Slack.Script(new SlackApiReply(status, json, RetryAfterSeconds: 1));

        await harness.PostEventAsync(Mention(harness.NewEventId(), "1763700100.001300", InferenceQuestion));
        await harness.WaitUntilAnsweredAsync();

        Assert.Equal(2, harness.Slack.Calls.Count);
        var delivered = Assert.Single(harness.Slack.Delivered);
        Assert.Equal(harness.Slack.Calls[0].Body.ToJsonString(), delivered.Body.ToJsonString());
        Assert.Contains(harness.Logs.Lines, l => l.Message.Contains("rate limited", StringComparison.Ordinal) && l.Message.Contains("00:00:01", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("invalid_auth", "Slack:BotToken")]
    [InlineData("channel_not_found", Channel)]
    public async Task PostMessage_SlackApiError_LoggedWithoutToken(string error, string hint)
    {
        await using var harness = await StartAsync();
        harness.Slack.Script(new SlackApiReply(200, $$"""{"ok":false,"error":"{{error}}"}"""));

        await harness.PostEventAsync(Mention(harness.NewEventId(), "1763700100.001400", InferenceQuestion));
        await harness.WaitUntilAnsweredAsync();

        Assert.Single(harness.Slack.Calls);
        Assert.Empty(harness.Slack.Delivered);
        Assert.Contains(harness.Logs.Lines, l => l.Message.Contains(error, StringComparison.Ordinal) && l.Message.Contains(hint, StringComparison.Ordinal));
        var tokenSecret = BotToken[(BotToken.LastIndexOf('-') + 1)..];
        Assert.DoesNotContain(harness.Logs.Lines, l => l.ToString().Contains(tokenSecret, StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Logs.Lines, l => l.ToString().Contains(SigningSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Events_UrlVerification_EchoesChallenge()
    {
        await using var harness = await StartAsync();
        const string body = """{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""";

        var response = await harness.PostEventAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Events_NoSigningSecretConfigured_RefusesEverythingWith401()
    {
        await using var harness = await StartAsync(signingSecret: null);
        const string challenge = """{"challenge":"abc","type":"url_verification"}""";

        var events = await harness.PostEventAsync(challenge);
        var interactions = await harness.PostInteractionAsync(new JsonObject { ["type"] = "block_actions" });

        Assert.Equal(HttpStatusCode.Unauthorized, events.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, interactions.StatusCode);
        Assert.Contains(harness.Logs.Lines, l => l.Message.Contains("Slack:SigningSecret is not configured", StringComparison.Ordinal));
        Assert.Empty(harness.Slack.Calls);
    }

    [Fact]
    public async Task Interactions_FollowUpButton_AnsweredInTheThreadConversation()
    {
        await using var harness = await StartAsync();
        const string thread = "1763700100.001500";
        await harness.PostEventAsync(Mention(harness.NewEventId(), thread, "What are the pros and cons of Flask?"));
        await harness.WaitUntilAnsweredAsync();

        var response = await harness.PostInteractionAsync(FollowUpClick(thread, "Which framework is best for beginners?"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await harness.WaitUntilAnsweredAsync();

        Assert.Equal(2, harness.Slack.Delivered.Count);
        var answer = harness.Slack.Delivered[1];
        Assert.Equal(thread, answer.ThreadTs);
        Assert.Equal($"<@{User}> asked: _Which framework is best for beginners?_", answer.BlockTexts("context")[0]);
        Assert.Contains(answer.BlockTexts("context"), s => s.StartsWith("*[1]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Interactions_Unsigned_Returns401AndAnswersNothing()
    {
        await using var harness = await StartAsync();
        var body = "payload=" + Uri.EscapeDataString(FollowUpClick("1763700100.001600", "Which framework is best for beginners?").ToJsonString());

        var response = await harness.PostRawAsync("/api/slack/interactions", body, "application/x-www-form-urlencoded", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await harness.WaitUntilAnsweredAsync();
        Assert.Empty(harness.Slack.Calls);
    }

    [Fact]
    public async Task Stop_AnswersStillInProgress_LoggedAsNotDone()
    {
        var harness = await StartAsync(configure: builder =>
            builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1)));
        await using var slack = harness.Slack;
        // Slack takes far longer than the shutdown timeout to accept the first post; the second question waits behind
        // it (same thread, so same lane).
        harness.Slack.Script(new SlackApiReply(200, """{"ok":true,"ts":"1.1"}""", Delay: TimeSpan.FromMinutes(2)));
        const string thread = "1763700100.001700";
        var first = harness.NewEventId();
        var second = harness.NewEventId();
        await harness.PostEventAsync(Mention(first, thread, InferenceQuestion));
        await harness.PostEventAsync(Mention(second, "1763700100.001800", "and for beginners?", threadTs: thread));
        while (harness.Slack.Calls.Count == 0)
            await Task.Delay(25);

        await harness.Server.DisposeAsync();

        var dropped = harness.Logs.Lines.Where(l => l.Message.Contains("was not done: the server stopped first", StringComparison.Ordinal)).ToList();
        Assert.Contains(dropped, l => l.Message.Contains(first, StringComparison.Ordinal));
        Assert.Contains(dropped, l => l.Message.Contains(second, StringComparison.Ordinal));
        Assert.Empty(harness.Slack.Delivered);
    }

    [Fact]
    public async Task Start_SigningSecretWithoutBotToken_FailsNamingTheSetting()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = await Infrastructure.TestServer.StartAsync(new Dictionary<string, string?>
            {
                ["Slack:SigningSecret"] = SigningSecret,
                ["Slack:BotToken"] = "",
            });
        });
        Assert.Contains("Slack:BotToken", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConversationIds_SlackThreadAndDirectMessage_AreValid()
    {
        Assert.True(ConversationIds.IsValid(SlackInbox.ThreadConversationId("T024BE7LD", "C0LAN2Q65", "1515449522.000016")));
        Assert.True(ConversationIds.IsValid(SlackInbox.DirectConversationId("E0ENTERPRISE1", "D024BE91L")));
        Assert.NotEqual(
            SlackInbox.ThreadConversationId("T1", "C1", "1515449522.000016"),
            SlackInbox.ThreadConversationId("T1", "C1", "1515449522.000017"));
    }

    private static JsonObject FollowUpClick(string thread, string question) => new()
    {
        ["type"] = "block_actions",
        ["team"] = new JsonObject { ["id"] = Team, ["domain"] = "example" },
        ["user"] = new JsonObject { ["id"] = User, ["username"] = "ada" },
        ["api_app_id"] = "A0APP1",
        ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = "1763700000.000001", ["channel_id"] = Channel, ["is_ephemeral"] = false, ["thread_ts"] = thread },
        ["trigger_id"] = "trigger-" + Guid.NewGuid().ToString("N"),
        ["channel"] = new JsonObject { ["id"] = Channel, ["name"] = "frameworks" },
        ["message"] = new JsonObject { ["type"] = "message", ["ts"] = "1763700000.000001", ["thread_ts"] = thread },
        ["actions"] = new JsonArray(new JsonObject
        {
            ["type"] = "button",
            ["action_id"] = SlackMessageRenderer.FollowUpAction + "-0",
            ["block_id"] = "followups",
            ["value"] = question,
            ["action_ts"] = "1763700101.000001",
        }),
    };
}
