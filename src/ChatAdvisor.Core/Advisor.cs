using System.Diagnostics;
using System.Security.Cryptography;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Core.Ingestion;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core;

/// <summary>
/// The one entry point every channel calls: ask a question within a conversation, rate an answer,
/// list what the advisor knows. Thread-safe; registered as a singleton.
/// </summary>
public sealed class Advisor(
    IndexProvider index,
    Retriever retriever,
    ConversationStore conversations,
    IOptions<RetrievalOptions> retrieval,
    ILogger<Advisor> logger)
{
    /// <summary>Questions shown to a new user (welcome messages, empty conversations).</summary>
    public static readonly IReadOnlyList<string> StarterQuestions =
    [
        "Which framework should I use for a high-traffic ML inference API?",
        "Django vs Flask vs FastAPI: how do they compare?",
        "Which framework is best for beginners?",
        "What are the pros and cons of Flask?",
    ];

    /// <summary>
    /// Answers <paramref name="question"/> in the conversation <paramref name="conversationId"/>.
    /// A null id starts a new conversation; an unknown or expired id starts a new conversation under that id.
    /// </summary>
    /// <exception cref="InvalidQuestionException">The question is empty or longer than <see cref="QuestionRules.MaxLength"/>.</exception>
    /// <exception cref="ArgumentException">The conversation id is not valid (see <see cref="ConversationIds.IsValid"/>).</exception>
    public async Task<AdvisorAnswer> AskAsync(string question, string? conversationId = null, CancellationToken cancellationToken = default)
    {
        if (QuestionRules.Validate(question) is { } problem)
            throw new InvalidQuestionException(problem);
        if (conversationId is not null && !ConversationIds.IsValid(conversationId))
            throw new ArgumentException($"'{conversationId}' is not a valid conversation id.", nameof(conversationId));
        conversationId ??= ConversationIds.New();

        var started = Stopwatch.GetTimestamp();
        var snapshot = await index.GetAsync(cancellationToken);
        var history = await conversations.GetTurnsAsync(conversationId, cancellationToken);
        var (resolved, hits) = Understand(question, history.Count > 0 ? history[^1].Understood.ToAnalysis() : null, snapshot);
        var composed = ExtractiveComposer.Compose(resolved, hits, snapshot);

        var answer = new AdvisorAnswer(conversationId, NewAnswerId(), composed.Text, composed.Grounded, composed.Citations, composed.Suggestions)
        {
            Kind = resolved.Kind,
            ResolvedQuestion = resolved.Resolved,
        };
        await conversations.AppendAsync(conversationId, new ConversationTurn(question, TurnState.From(resolved, composed.Recommended), answer), cancellationToken);

        Log.QuestionResolved(logger, question, resolved.Resolved);
        Log.Answered(logger, conversationId, resolved.Kind.ToString(), answer.Grounded, answer.Citations.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return answer;
    }

    /// <summary>Analyses a question in the light of the previous turn and retrieves the chunks to answer it from.</summary>
    internal (QuestionAnalysis Resolved, IReadOnlyList<SearchHit> Hits) Understand(string question, QuestionAnalysis? previous, IndexSnapshot snapshot)
    {
        var analysis = QuestionAnalyzer.Analyze(question, snapshot);
        var resolved = FollowUpResolver.Resolve(analysis, previous);
        var hits = resolved.Kind == QuestionKind.OutOfScope ? [] : retriever.Search(snapshot, SearchQuery.For(resolved), retrieval.Value.TopK);
        return (resolved, hits);
    }

    /// <summary>Records a rating of an answer. Returns false when the answer id is unknown.</summary>
    public async Task<bool> RecordFeedbackAsync(AnswerFeedback feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        bool recorded = await conversations.RecordFeedbackAsync(feedback, cancellationToken);
        if (recorded)
            Log.FeedbackRecorded(logger, feedback.AnswerId, feedback.Channel, feedback.Positive ? "like" : "dislike");
        return recorded;
    }

    /// <summary>The articles the advisor answers from (waits for the index to be ready).</summary>
    public async Task<IReadOnlyList<Article>> GetArticlesAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await index.GetAsync(cancellationToken);
        return [.. snapshot.Articles.Select(a => a.Article)];
    }

    private static string NewAnswerId() => "a-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
