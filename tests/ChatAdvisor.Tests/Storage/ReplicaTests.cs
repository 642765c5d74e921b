using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ChatAdvisor.Tests.Channels.DirectLine;
using System.Text.Json;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Storage;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ChatAdvisor.Tests.Storage;

/// <summary>Two servers on loopback sharing one PostgreSQL database, as two replicas behind one address would.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaTests(PostgresServer postgres)
{
    /// <summary>The key every replica signs Direct Line tokens with.</summary>
    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private async Task<(TestServer A, TestServer B)> StartReplicasAsync(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["ConnectionStrings:Postgres"] = await postgres.CreateDatabaseAsync(),
            ["DirectLine:SigningKey"] = SigningKey,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            settings[key] = value;
        return (await TestServer.StartAsync(settings), await TestServer.StartAsync(settings));
    }

    [Fact]
    public async Task RateLimit_CountsAClientsRequestsOnEveryReplica()
    {
        var (a, b) = await StartReplicasAsync(new Dictionary<string, string?>
        {
            ["RateLimits:Ask:PermitLimit"] = "3",
            ["RateLimits:Ask:WindowSeconds"] = "3600",   // long, so the four requests fall in one window
        });
        await using var _ = a;
        await using var __ = b;

        var statuses = new List<HttpStatusCode>();
        foreach (var server in new[] { a, b, a, b })
            statuses.Add((await server.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Flask?" })).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task FollowUp_OnTheOtherReplica_IsAnsweredInContext()
    {
        var (a, b) = await StartReplicasAsync();
        await using var _ = a;
        await using var __ = b;

        var first = await a.Client.PostAsJsonAsync("/api/ask", new { question = "What are the advantages of Flask?", conversationId = "shared-1" });
        var followUp = await b.Client.PostAsJsonAsync("/api/ask", new { question = "And its disadvantages?", conversationId = "shared-1" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, followUp.StatusCode);
        var turns = await b.Services.GetRequiredService<IConversationStore>().GetTurnsAsync(ConversationIds.ForApi("shared-1"));
        Assert.Equal(["What are the advantages of Flask?", "And its disadvantages?"], turns.Select(t => t.Question));
        // The follow-up was understood as being about Flask, which only replica A had heard.
        Assert.Contains("Flask", turns[1].Answer.ResolvedQuestion);
    }

    [Fact]
    public async Task ConcurrentQuestions_InOneConversationThroughBothReplicas_KeepEveryTurn()
    {
        var (a, b) = await StartReplicasAsync();
        await using var _ = a;
        await using var __ = b;
        string[] questions = ["Who created Django?", "Is Flask good for beginners?", "Is FastAPI fast?", "Which has an admin panel?", "What is Jinja2?", "Does Django have an ORM?"];

        var responses = await Task.WhenAll(questions.Select((q, i) =>
            (i % 2 == 0 ? a : b).Client.PostAsJsonAsync("/api/ask", new { question = q, conversationId = "busy" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var turns = await a.Services.GetRequiredService<IConversationStore>().GetTurnsAsync(ConversationIds.ForApi("busy"));
        Assert.Equal(questions.Order(), turns.Select(t => t.Question).Order());
    }

    [Fact]
    public async Task TeamsActivity_ResentToTheOtherReplica_IsAnsweredOnce()
    {
        var (a, b) = await StartReplicasAsync(new Dictionary<string, string?> { ["BotFramework:LocalMode"] = "true" });
        await using var _ = a;
        await using var __ = b;
        // The Bot Connector re-posts an activity (same id) when the bot is slow; the retry may reach another replica.
        var activity = new
        {
            type = "message", id = "activity-42", channelId = "emulator", deliveryMode = "expectReplies",
            conversation = new { id = "c-teams" }, from = new { id = "u1" }, recipient = new { id = "bot" },
            text = "Which framework is best for beginners?",
        };

        var first = await (await a.Client.PostAsJsonAsync("/api/messages", activity)).Content.ReadFromJsonAsync<JsonElement>();
        var resent = await (await b.Client.PostAsJsonAsync("/api/messages", activity)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Contains(first.GetProperty("activities").EnumerateArray(), r => r.GetProperty("type").GetString() == "message");
        Assert.Equal(0, resent.GetProperty("activities").GetArrayLength());
    }

    [Fact]
    public async Task SlackEvent_RetriedToTheOtherReplica_IsAnsweredOnce()
    {
        var shared = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["ConnectionStrings:Postgres"] = await postgres.CreateDatabaseAsync(),
            ["DirectLine:SigningKey"] = SigningKey,
        };
        await using var a = await Channels.Slack.SlackHarness.StartAsync(settings: shared);
        await using var b = await Channels.Slack.SlackHarness.StartAsync(settings: shared);
        var body = Channels.Slack.SlackHarness.Mention("EvRETRIED01", "1712345678.000100", "<@U0BOT1> Which framework is best for beginners?");

        Assert.Equal(HttpStatusCode.OK, (await a.PostEventAsync(body)).StatusCode);
        // Slack retries after 3 s without an answer; behind a load balancer the retry may reach the other replica.
        Assert.Equal(HttpStatusCode.OK, (await b.PostEventAsync(body, retryNum: 1)).StatusCode);
        await a.WaitUntilAnsweredAsync();
        await b.WaitUntilAnsweredAsync();

        Assert.Single(a.Slack.Delivered, c => c.Method == "chat.postMessage");
        Assert.DoesNotContain(b.Slack.Calls, c => c.Method.StartsWith("chat.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readiness_OnBothReplicas_ReportsTheSharedStorage()
    {
        var (a, b) = await StartReplicasAsync();
        await using var _ = a;
        await using var __ = b;

        foreach (var server in new[] { a, b })
        {
            // The index may still be loading (503), but the storage component is reported either way.
            var ready = await (await server.Client.GetAsync("/readyz")).Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(ready.GetProperty("components").GetProperty("storage").GetProperty("ready").GetBoolean());
        }
    }

    [Fact]
    public async Task WebChatConversation_StartedOnA_ContinuesOnB_AndEveryStreamHearsIt()
    {
        var (a, b) = await StartReplicasAsync();
        await using var _ = a;
        await using var __ = b;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var grant = await DirectLineHttp.PageTokenAsync(a);
        var started = await (await a.Client.SendAsync(DirectLineHttp.Request(HttpMethod.Post, "/v3/directline/conversations", grant.Token)))
            .Content.ReadFromJsonAsync<JsonObject>();
        var token = started!["token"]!.GetValue<string>();
        using var streamOnA = new ClientWebSocket();
        await streamOnA.ConnectAsync(new Uri(started["streamUrl"]!.GetValue<string>()), timeout.Token);

        var question = await PostAsync(a, grant.ConversationId, token, "What are the advantages of Flask?");
        var firstAnswer = await ReplyOnStreamAsync(streamOnA, question, timeout.Token);
        long watermark = Sequence(firstAnswer["id"]!.GetValue<string>());

        // The page moves to replica B (no affinity): it resumes from its watermark there and asks a follow-up.
        var resumed = await (await b.Client.SendAsync(DirectLineHttp.Request(HttpMethod.Get,
            $"/v3/directline/conversations/{grant.ConversationId}?watermark={watermark - 1}", token))).Content.ReadFromJsonAsync<JsonObject>();
        using var streamOnB = new ClientWebSocket();
        await streamOnB.ConnectAsync(new Uri(resumed!["streamUrl"]!.GetValue<string>()), timeout.Token);
        var replayed = JsonNode.Parse(await DirectLineHttp.ReceiveAsync(streamOnB, timeout.Token))!;
        Assert.Equal(firstAnswer["id"]!.GetValue<string>(), replayed["activities"]![0]!["id"]!.GetValue<string>());

        var followUp = await PostAsync(b, grant.ConversationId, token, "And its disadvantages?");
        var answerOnB = await ReplyOnStreamAsync(streamOnB, followUp, timeout.Token);
        var answerOnA = await ReplyOnStreamAsync(streamOnA, followUp, timeout.Token);

        Assert.Equal(answerOnB["id"]!.GetValue<string>(), answerOnA["id"]!.GetValue<string>());
        // Answered in context: the follow-up was about Flask, which only replica A had heard.
        Assert.Contains("disadvantages of Flask", answerOnB["text"]!.GetValue<string>());
        var transcript = await (await a.Client.SendAsync(DirectLineHttp.Request(HttpMethod.Get, $"/v3/directline/conversations/{grant.ConversationId}/activities", token)))
            .Content.ReadFromJsonAsync<JsonObject>();
        var sequences = transcript!["activities"]!.AsArray().Select(x => Sequence(x!["id"]!.GetValue<string>())).ToList();
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task QuestionOfADeadReplica_IsAnsweredByTheSurvivor_BeforeTheQuestionAfterIt()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var survivor = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres", ["ConnectionStrings:Postgres"] = connectionString, ["DirectLine:SigningKey"] = SigningKey,
        });
        var grant = await DirectLineHttp.PageTokenAsync(survivor);
        var started = await (await survivor.Client.SendAsync(DirectLineHttp.Request(HttpMethod.Post, "/v3/directline/conversations", grant.Token)))
            .Content.ReadFromJsonAsync<JsonObject>();
        var token = started!["token"]!.GetValue<string>();

        // Another replica logged a question, then died before answering: its 2-second lease is never renewed.
        await using var database = new PostgresDatabase(connectionString, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresDatabase>.Instance);
        var dead = new PostgresDirectLineLog(database, TimeProvider.System, 500, TimeSpan.FromSeconds(2),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresDirectLineLog>.Instance);
        var orphan = (await dead.AppendAsync(grant.ConversationId, new JsonObject
        {
            ["type"] = "message", ["text"] = "Who created Flask?", ["from"] = new JsonObject { ["id"] = "dl_page", ["role"] = "user" },
        }, awaitsReply: true)).Activity;
        // The user, on the survivor, asks the next question at once.
        var next = await PostAsync(survivor, grant.ConversationId, token, "Who created Django?");

        var replies = new Dictionary<string, JsonObject>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (replies.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            var set = await (await survivor.Client.SendAsync(DirectLineHttp.Request(HttpMethod.Get, $"/v3/directline/conversations/{grant.ConversationId}/activities", token)))
                .Content.ReadFromJsonAsync<JsonObject>();
            replies = set!["activities"]!.AsArray().Where(a => a!["replyToId"] is not null).ToDictionary(a => a!["replyToId"]!.GetValue<string>(), a => a!.AsObject());
        }

        var orphanId = $"{grant.ConversationId}|{orphan.Sequence:D7}";
        Assert.Equal(2, replies.Count);
        Assert.Contains("Armin Ronacher", replies[orphanId]["text"]!.GetValue<string>());
        Assert.True(Sequence(replies[orphanId]["id"]!.GetValue<string>()) < Sequence(replies[next]["id"]!.GetValue<string>()),
            "the orphaned question is answered before the one asked after it");
    }

    [Fact]
    public async Task CorpusChange_ReachesEveryReplica()
    {
        var corpus = Directory.CreateTempSubdirectory("chatadvisor-corpus-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "corpus")))
                File.Copy(file, Path.Combine(corpus, Path.GetFileName(file)));
            var (a, b) = await StartReplicasAsync(new Dictionary<string, string?> { ["Corpus:Path"] = corpus, ["Corpus:WatchForChanges"] = "true" });
            await using var _ = a;
            await using var __ = b;
            int[] counts = await Task.WhenAll(ArticleCountAsync(a), ArticleCountAsync(b));
            Assert.Equal([4, 4], counts);

            // A new article on the corpus volume both replicas mount: each one re-indexes by itself.
            await File.WriteAllTextAsync(Path.Combine(corpus, "bottle-notes.md"), "# Bottle notes\n\nBottle is another microframework, which these notes mention.");

            var deadline = DateTime.UtcNow.AddSeconds(60);
            do
            {
                await Task.Delay(200);
                counts = await Task.WhenAll(ArticleCountAsync(a), ArticleCountAsync(b));
            }
            while (counts.Any(c => c < 5) && DateTime.UtcNow < deadline);
            Assert.Equal([5, 5], counts);
        }
        finally
        {
            Directory.Delete(corpus, recursive: true);
        }
    }

    private static async Task<int> ArticleCountAsync(TestServer server)
        => (await server.Client.GetFromJsonAsync<JsonArray>("/api/webchat/articles"))!.Count;

    private static long Sequence(string activityId) => long.Parse(activityId.Split('|')[1], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string> PostAsync(TestServer server, string conversationId, string token, string text)
    {
        var response = await server.Client.SendAsync(DirectLineHttp.Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token,
            new { type = "message", text, from = new { id = "page-user" } }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    /// <summary>Reads a stream until the bot's message that replies to <paramref name="questionId"/>.</summary>
    private static async Task<JsonObject> ReplyOnStreamAsync(ClientWebSocket socket, string questionId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await DirectLineHttp.ReceiveAsync(socket, cancellationToken);
            if (frame.Length == 0)
                continue;
            foreach (var activity in JsonNode.Parse(frame)!["activities"]!.AsArray())
            {
                if (activity!["type"]!.GetValue<string>() == "message" && activity["replyToId"]?.GetValue<string>() == questionId)
                    return activity.AsObject();
            }
        }
    }
}
