using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Tests.Conversations;

public class ConversationStoreTests
{
    private static ConversationStore Store(TempFolder folder, TimeProvider time, int maxTurns = 20, double idleHours = 24) => new(
        Options.Create(new StorageOptions { Path = "storage", MaxTurnsPerConversation = maxTurns, ConversationIdleHours = idleHours }),
        new ContentRootPath(folder.Path), time, NullLogger<ConversationStore>.Instance);

    private static ConversationTurn Turn(int n) => new(
        $"question {n}",
        new TurnState(QuestionKind.General, ["flask"], [], false, false, null, ["flask"], null, $"question {n}"),
        new AdvisorAnswer("c-1", $"a-{n}", $"answer {n} [1]", true, [new Citation(1, "doc", "Doc", null, "quote")], []));

    [Fact]
    public async Task AppendAsync_NewStoreInstance_SeesTheTurns()
    {
        using var folder = new TempFolder();
        var time = new ManualTimeProvider();
        using (var store = Store(folder, time))
        {
            await store.AppendAsync("c-1", Turn(1));
            await store.AppendAsync("c-1", Turn(2));
        }

        using var restarted = Store(folder, time);
        var turns = await restarted.GetTurnsAsync("c-1");

        Assert.Equal(["question 1", "question 2"], turns.Select(t => t.Question));
        Assert.Equal(["flask"], turns[1].Understood.Entities);
        Assert.Equal("answer 2 [1]", turns[1].Answer.Text);
    }

    [Fact]
    public async Task AppendAsync_PastTheLimit_TrimsOldestTurns()
    {
        using var folder = new TempFolder();
        using var store = Store(folder, new ManualTimeProvider(), maxTurns: 3);
        for (int i = 1; i <= 5; i++)
            await store.AppendAsync("c-1", Turn(i));

        Assert.Equal(["question 3", "question 4", "question 5"], (await store.GetTurnsAsync("c-1")).Select(t => t.Question));
    }

    [Fact]
    public async Task GetTurnsAsync_IdleConversation_HasExpired()
    {
        using var folder = new TempFolder();
        var time = new ManualTimeProvider();
        using var store = Store(folder, time, idleHours: 2);
        await store.AppendAsync("c-1", Turn(1));

        time.Advance(TimeSpan.FromHours(3));

        Assert.Empty(await store.GetTurnsAsync("c-1"));
        Assert.Equal(1, await store.ExpireIdleAsync());
        await store.AppendAsync("c-1", Turn(2));
        Assert.Equal(["question 2"], (await store.GetTurnsAsync("c-1")).Select(t => t.Question));
    }

    [Fact]
    public async Task RecordFeedbackAsync_KnownAnswer_IsStoredWithTheAnswer_UnknownIsRefused()
    {
        using var folder = new TempFolder();
        using var store = Store(folder, new ManualTimeProvider(), maxTurns: 2);
        await store.AppendAsync("c-1", Turn(1));
        await store.AppendAsync("c-1", Turn(2));
        await store.AppendAsync("c-1", Turn(3)); // trims turn 1 from the conversation, not from the answers it rated

        Assert.True(await store.RecordFeedbackAsync(new AnswerFeedback("a-1", false, "too vague", "webchat")));
        Assert.False(await store.RecordFeedbackAsync(new AnswerFeedback("a-unknown", true, null, "webchat")));

        var feedback = Assert.Single(await store.GetFeedbackAsync("a-1"));
        Assert.Equal((false, "too vague", "webchat", "question 1", "answer 1 [1]"), feedback);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentWriters_LoseNothing()
    {
        using var folder = new TempFolder();
        using var store = Store(folder, new ManualTimeProvider(), maxTurns: 100);
        await Task.WhenAll(Enumerable.Range(1, 40).Select(i => store.AppendAsync($"c-{i % 4}", Turn(i))));

        int total = 0;
        for (int c = 0; c < 4; c++)
            total += (await store.GetTurnsAsync($"c-{c}")).Count;
        Assert.Equal(40, total);
    }
}
