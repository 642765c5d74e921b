using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Tests.Answering;

/// <summary>A turn answered while another turn of the same conversation is stored (another request or replica).</summary>
public class ConcurrentTurnTests(AdvisorFixture fixture) : IClassFixture<AdvisorFixture>
{
    /// <summary>Stores <paramref name="interloper"/> right after the first history read, as a concurrent turn would.</summary>
    private sealed class InterferingStore(IConversationStore inner, string conversationId, ConversationTurn interloper) : IConversationStore
    {
        public int HistoryReads;

        public async Task<ConversationHistory> GetHistoryAsync(string id, CancellationToken cancellationToken = default)
        {
            var history = await inner.GetHistoryAsync(id, cancellationToken);
            if (id == conversationId && Interlocked.Increment(ref HistoryReads) == 1)
                await inner.AppendAsync(id, interloper, cancellationToken);
            return history;
        }

        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);
        public Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(string id, CancellationToken cancellationToken = default) => inner.GetTurnsAsync(id, cancellationToken);
        public Task AppendAsync(string id, ConversationTurn turn, string? client, long? expectedVersion, CancellationToken cancellationToken = default)
            => inner.AppendAsync(id, turn, client, expectedVersion, cancellationToken);
        public Task<bool> RecordFeedbackAsync(AnswerFeedback feedback, CancellationToken cancellationToken = default) => inner.RecordFeedbackAsync(feedback, cancellationToken);
        public Task<IReadOnlyList<(bool Positive, string? Comment, string Channel, string Question, string AnswerText)>> GetFeedbackAsync(string answerId, CancellationToken cancellationToken = default)
            => inner.GetFeedbackAsync(answerId, cancellationToken);
        public Task<int> ExpireIdleAsync(CancellationToken cancellationToken = default) => inner.ExpireIdleAsync(cancellationToken);
        public Task<int> CleanUpAsync(CancellationToken cancellationToken = default) => inner.CleanUpAsync(cancellationToken);
        public Task<string?> ProbeAsync(CancellationToken cancellationToken = default) => inner.ProbeAsync(cancellationToken);
    }

    [Fact]
    public async Task FollowUp_WhileAnotherTurnIsStored_IsAnsweredAgainAgainstTheNewerTurn()
    {
        var store = (IConversationStore)fixture.Services.GetService(typeof(IConversationStore))!;
        var index = (IndexProvider)fixture.Services.GetService(typeof(IndexProvider))!;
        await fixture.Advisor.AskAsync("What are the advantages of Flask?", "c-race");
        await fixture.Advisor.AskAsync("What are the advantages of Django?", "c-elsewhere");
        var interloper = (await store.GetTurnsAsync("c-elsewhere"))[0];
        var interfering = new InterferingStore(store, "c-race", interloper);
        var retrieval = Options.Create(new RetrievalOptions());
        var racing = new Advisor(index, new HybridRetriever(new Retriever(), TestModels.Shipped, retrieval), interfering, retrieval, NullLogger<Advisor>.Instance);

        var answer = await racing.AskAsync("And its disadvantages?", "c-race");

        var turns = await store.GetTurnsAsync("c-race");
        Assert.Equal(["What are the advantages of Flask?", "What are the advantages of Django?", "And its disadvantages?"], turns.Select(t => t.Question));
        Assert.Equal(2, interfering.HistoryReads);
        // Answered again from the history with the newer turn: "its" is now Django.
        Assert.Contains("Django", answer.ResolvedQuestion, StringComparison.Ordinal);
    }
}
