using System.Diagnostics;
using System.Security.Cryptography;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Answering.Llm;
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
public sealed partial class Advisor(
    IndexProvider index,
    HybridRetriever retriever,
    IConversationStore conversations,
    IOptions<RetrievalOptions> retrieval,
    ILogger<Advisor> logger,
    LlmAnswerer? llm = null)
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
    public Task<AdvisorAnswer> AskAsync(string question, string? conversationId = null, CancellationToken cancellationToken = default)
        => AskAsync(question, conversationId, client: null, cancellationToken);

    /// <summary>
    /// Answers as <see cref="AskAsync(string, string?, CancellationToken)"/> does, for <paramref name="client"/>: a caller
    /// of the HTTP API whose new conversations count against <see cref="StorageOptions.MaxConversationsPerClient"/>.
    /// </summary>
    public async Task<AdvisorAnswer> AskAsync(string question, string? conversationId, string? client, CancellationToken cancellationToken = default)
    {
        using var turn = await BeginTurnAsync(question, conversationId, client, cancellationToken);
        var written = turn.Llm is null ? null : await turn.Llm.AnswerAsync(question, turn.PriorTurns, turn.Hits);
        return await CompleteTurnAsync(turn, written, cancellationToken);
    }

    /// <summary>A question understood and its passages retrieved, waiting for its answer to be written.</summary>
    private sealed record PendingTurn(string ConversationId, string? Client, string Question, long Started, IndexSnapshot Snapshot,
        IReadOnlyList<ConversationTurn> History, QuestionAnalysis Resolved, string SearchedFor, IReadOnlyList<SearchHit> Hits, LlmTurn? Llm) : IDisposable
    {
        public IReadOnlyList<PriorTurn> PriorTurns => ToPriorTurns(History);

        public void Dispose() => Llm?.Dispose();
    }

    /// <summary>
    /// Checks the question, loads the conversation, resolves a follow-up and retrieves the passages. With a language
    /// model configured, an in-scope follow-up is rewritten by the model and searched for as rewritten.
    /// </summary>
    private async Task<PendingTurn> BeginTurnAsync(string question, string? conversationId, string? client, CancellationToken cancellationToken)
    {
        if (QuestionRules.Validate(question) is { } problem)
            throw new InvalidQuestionException(problem);
        if (conversationId is not null && !ConversationIds.IsValid(conversationId, ConversationIds.MaxStoredLength))
            throw new ArgumentException($"'{conversationId}' is not a valid conversation id.", nameof(conversationId));
        conversationId ??= ConversationIds.New();

        var started = Stopwatch.GetTimestamp();
        var snapshot = await index.GetAsync(cancellationToken);
        var history = await conversations.GetTurnsAsync(conversationId, cancellationToken);
        var (resolved, hits) = await UnderstandAsync(question, history.Count > 0 ? history[^1].Understood.ToAnalysis() : null, snapshot, cancellationToken: cancellationToken);
        var searchedFor = resolved.Resolved;
        var turn = resolved.Kind == QuestionKind.OutOfScope ? null : llm?.BeginTurn(cancellationToken);
        if (turn is not null && history.Count > 0 && resolved.LooksLikeFollowUp
            && await turn.RewriteAsync(question, ToPriorTurns(history)) is { } rewritten)
        {
            searchedFor = rewritten;
            var analysis = QuestionAnalyzer.Analyze(rewritten, snapshot);
            hits = await retriever.SearchAsync(snapshot, SearchQuery.For(analysis), rewritten, retrieval.Value.TopK, retrieval.Value.Mode,
                analysis.Kind == QuestionKind.Comparison, cancellationToken);
        }
        return new PendingTurn(conversationId, client, question, started, snapshot, history, resolved, searchedFor, hits, turn);
    }

    /// <summary>
    /// Finishes the answer and records the turn. The extractive composer always runs (it is cheap and gives the
    /// fallback suggestions and what follow-ups resolve against); the model's answer replaces its text and citations
    /// when there is one.
    /// </summary>
    private async Task<AdvisorAnswer> CompleteTurnAsync(PendingTurn turn, LlmAnswer? written, CancellationToken cancellationToken)
    {
        var composed = ExtractiveComposer.Compose(turn.Resolved, turn.Hits, turn.Snapshot);
        var answer = written is null
            ? new AdvisorAnswer(turn.ConversationId, NewAnswerId(), composed.Text, composed.Grounded, composed.Citations, composed.Suggestions)
            : new AdvisorAnswer(turn.ConversationId, NewAnswerId(), written.Text, written.Grounded,
                WithArticleDetails(written.Citations, turn.Snapshot), written.Suggestions ?? composed.Suggestions);
        answer = answer with { Kind = turn.Resolved.Kind, ResolvedQuestion = turn.SearchedFor };
        await conversations.AppendAsync(turn.ConversationId, new ConversationTurn(turn.Question, TurnState.From(turn.Resolved, composed.Recommended), answer), turn.Client, cancellationToken);

        Log.QuestionResolved(logger, turn.Question, turn.SearchedFor);
        var elapsed = Stopwatch.GetElapsedTime(turn.Started);
        Log.Answered(logger, turn.ConversationId, turn.Resolved.Kind.ToString(), answer.Grounded, answer.Citations.Count, elapsed.TotalMilliseconds);
        Telemetry.RecordAnswer(turn.Resolved.Kind.ToString(), answer.Grounded, elapsed);
        return answer;
    }

    private static List<PriorTurn> ToPriorTurns(IReadOnlyList<ConversationTurn> history)
        => [.. history.Select(t => new PriorTurn(t.Question, t.Answer.Text))];

    private static List<Citation> WithArticleDetails(IReadOnlyList<Citation> citations, IndexSnapshot snapshot)
    {
        var result = new List<Citation>(citations.Count);
        foreach (var citation in citations)
        {
            var article = snapshot.Article(citation.DocumentId).Article;
            result.Add(citation with { Author = article.Author, Publisher = article.Publisher, Url = article.Url });
        }
        return result;
    }

    /// <summary>Analyses a question in the light of the previous turn and retrieves the chunks to answer it from.</summary>
    /// <remarks><paramref name="kind"/> overrides <c>Retrieval:Mode</c> (the evaluation compares retrievers with it).</remarks>
    internal async Task<(QuestionAnalysis Resolved, IReadOnlyList<SearchHit> Hits)> UnderstandAsync(string question, QuestionAnalysis? previous,
        IndexSnapshot snapshot, RetrieverKind? kind = null, CancellationToken cancellationToken = default)
    {
        var mode = kind ?? retrieval.Value.Mode;
        var analysis = QuestionAnalyzer.Analyze(question, snapshot);
        // Keywords alone miss paraphrases ("novice" for "beginner"): with vectors, a question close in meaning to a
        // passage is in scope too.
        if (analysis.Kind == QuestionKind.OutOfScope && mode != RetrieverKind.Lexical && await retriever.IsNearCorpusAsync(snapshot, question, cancellationToken))
            analysis = QuestionAnalyzer.Analyze(question, snapshot, nearCorpusByMeaning: true);
        var resolved = FollowUpResolver.Resolve(analysis, previous);
        IReadOnlyList<SearchHit> hits = resolved.Kind == QuestionKind.OutOfScope
            ? []
            : await retriever.SearchAsync(snapshot, SearchQuery.For(resolved), SearchText(resolved, previous), retrieval.Value.TopK,
                mode, resolved.Kind == QuestionKind.Comparison, cancellationToken);
        return (resolved, hits);
    }

    /// <summary>The text a question is embedded from: the question, followed by its standalone wording when it is a follow-up.</summary>
    private static string SearchText(QuestionAnalysis resolved, QuestionAnalysis? previous)
        => previous is not null && resolved.LooksLikeFollowUp ? resolved.Text + "\n" + resolved.Resolved : resolved.Text;


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
