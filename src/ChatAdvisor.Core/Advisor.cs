using System.Diagnostics;
using System.Security.Cryptography;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Answering.Llm;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Core.Ingestion;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Topics;
using ChatAdvisor.Core.Understanding;
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
    LlmAnswerer? llm = null,
    TopicProfile? topic = null) : IReadinessContributor
{
    private TopicProfile? _topic = topic;
    private volatile ComponentStatus _understanding = new(false, "waiting for the index");

    /// <summary>
    /// What the corpus compares and what the advisor says about it: the <see cref="TopicProfile"/> read from
    /// <c>topic.json</c> in the corpus folder on first use (or the one given to the constructor).
    /// </summary>
    /// <exception cref="FileNotFoundException">The corpus folder has no topic profile.</exception>
    public TopicProfile Topic => _topic ??= TopicProfile.LoadFrom(index.CorpusPath);

    /// <summary>Questions shown to a new user (welcome messages, empty conversations), from the topic profile.</summary>
    public IReadOnlyList<string> StarterQuestions => Topic.StarterQuestions;

    /// <summary>The first words of a welcome message (Markdown), from the topic profile: what the advisor helps choose between.</summary>
    public string WelcomeText => Topic.Say(Topic.Texts.Welcome);

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
        for (int attempt = 1; ; attempt++)
        {
            using var turn = await BeginTurnAsync(question, conversationId, client, cancellationToken);
            var written = turn.Llm is null ? null : await turn.Llm.AnswerAsync(question, turn.PriorTurns, turn.Hits);
            try
            {
                // A conversation that keeps changing under its turns (many questions at once) gets this answer stored
                // after whatever came in the end rather than an error.
                return await CompleteTurnAsync(attempt < MaxTurnAttempts ? turn : turn with { Version = null }, written, cancellationToken);
            }
            catch (ConversationChangedException) when (attempt < MaxTurnAttempts)
            {
                // Another turn of this conversation was stored meanwhile (another request or replica): answer again
                // from the history that includes it, so a follow-up is never resolved against a stale thread.
                Telemetry.TurnRetries.Add(1);
                conversationId = turn.ConversationId;
            }
        }
    }

    /// <summary>How many times a turn is answered before a conversation that keeps changing under it is reported.</summary>
    private const int MaxTurnAttempts = 4;

    /// <summary>A question understood and its passages retrieved, waiting for its answer to be written.</summary>
    private sealed record PendingTurn(string ConversationId, string? Client, string Question, long Started, IndexSnapshot Snapshot,
        IReadOnlyList<ConversationTurn> History, long? Version, QuestionAnalysis Resolved, string SearchedFor, IReadOnlyList<SearchHit> Hits, VerdictEvidence? Evidence,
        ReadOnlyMemory<float> QueryVector, LlmTurn? Llm) : IDisposable
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
        var stored = await conversations.GetHistoryAsync(conversationId, cancellationToken);
        var history = stored.Turns;
        var (resolved, hits, evidence, queryVector) = await UnderstandAsync(question, history.Count > 0 ? history[^1].Understood.ToAnalysis(Topic) : null, snapshot, cancellationToken: cancellationToken);
        var searchedFor = resolved.Resolved;
        var turn = resolved.Kind == QuestionKind.OutOfScope ? null : llm?.BeginTurn(Topic.Say(Topic.Subject), cancellationToken);
        if (turn is not null && history.Count > 0 && resolved.LooksLikeFollowUp
            && await turn.RewriteAsync(question, ToPriorTurns(history)) is { } rewritten)
        {
            searchedFor = rewritten;
            var analysis = QuestionAnalyzer.Analyze(rewritten, snapshot, Topic);
            hits = await retriever.SearchAsync(snapshot, SearchQuery.For(analysis, Topic), rewritten, retrieval.Value.TopK, retrieval.Value.Mode,
                analysis.Kind == QuestionKind.Comparison, cancellationToken);
        }
        return new PendingTurn(conversationId, client, question, started, snapshot, history, stored.Version, resolved, searchedFor, hits, evidence, queryVector, turn);
    }

    /// <summary>
    /// Finishes the answer and records the turn. With the model's answer, the extractive composer does not run: the
    /// state records the verdict the model's answer names (when its cited passage supports it). Without one, or when
    /// the model's verdict (for a recommendation or comparison) is contradicted by its own citation, the extractive
    /// composer answers.
    /// </summary>
    private async Task<AdvisorAnswer> CompleteTurnAsync(PendingTurn turn, LlmAnswer? written, CancellationToken cancellationToken)
    {
        string? verdict = null;
        AdvisorAnswer answer;
        if (written is not null && (turn.Resolved.Kind is not (QuestionKind.Recommendation or QuestionKind.Comparison)
            ? (Entity: (string?)null, Supported: true) : WrittenVerdict(written, turn.Snapshot)) is { Supported: true } check)
        {
            verdict = check.Entity;
            answer = new AdvisorAnswer(turn.ConversationId, NewAnswerId(), written.Text, written.Grounded,
                WithArticleDetails(written.Citations, turn.Snapshot), written.Suggestions ?? Suggestions.After(turn.Resolved, verdict, Topic));
        }
        else
        {
            var claims = turn.Resolved.Kind == QuestionKind.ProsCons
                ? await EvidenceExtractor.GetAsync(turn.Snapshot, Topic, turn.Snapshot.Vectors is null ? null : retriever, cancellationToken) : null;
            // A follow-up that asks for more about a verdict ("why?", "by how much?") is not answered with the passage the
            // verdict rested on again.
            var alreadySaid = turn.Resolved.LooksLikeFollowUp && turn.Resolved.Kind is QuestionKind.Fact or QuestionKind.General && turn.History.Count > 0
                && turn.History[^1].Understood.Kind is QuestionKind.Recommendation or QuestionKind.Comparison
                ? turn.History[^1].Answer.Citations.Take(1).ToList() : null;
            var composed = ExtractiveComposer.Compose(turn.Resolved, turn.Hits, turn.Snapshot, Topic, turn.Evidence, turn.QueryVector, claims, alreadySaid);
            if (alreadySaid is not null && !composed.Grounded)
                composed = ExtractiveComposer.Compose(turn.Resolved, turn.Hits, turn.Snapshot, Topic, turn.Evidence, turn.QueryVector, claims);
            // A follow-up is never answered with the answer it follows: when the verdict would only be said again ("does
            // that bite me later?"), what the articles say against the entity in focus is the part not yet said.
            if (turn.History.Count > 0 && turn.Resolved.LooksLikeFollowUp && composed.Verdict is { } repeated
                && turn.History.Any(t => FirstLine(t.Answer.Text) == FirstLine(composed.Text)))
            {
                var against = turn.Resolved with { Kind = QuestionKind.ProsCons, WantsPros = false, WantsCons = true, Entities = [repeated], Aspects = [] };
                var cons = ExtractiveComposer.Compose(against, turn.Hits, turn.Snapshot, Topic, null, turn.QueryVector,
                    await EvidenceExtractor.GetAsync(turn.Snapshot, Topic, turn.Snapshot.Vectors is null ? null : retriever, cancellationToken));
                if (cons.Grounded && !turn.History.Any(t => FirstLine(t.Answer.Text) == FirstLine(cons.Text)))
                    composed = cons with { Verdict = repeated };
            }
            verdict = composed.Verdict;
            answer = new AdvisorAnswer(turn.ConversationId, NewAnswerId(), composed.Text, composed.Grounded, composed.Citations, composed.Suggestions);
        }
        answer = answer with { Kind = turn.Resolved.Kind, ResolvedQuestion = turn.SearchedFor };
        await conversations.AppendAsync(turn.ConversationId, new ConversationTurn(turn.Question, TurnState.From(turn.Resolved, verdict), answer), turn.Client, turn.Version, cancellationToken);

        Log.QuestionResolved(logger, turn.Question, turn.SearchedFor);
        var elapsed = Stopwatch.GetElapsedTime(turn.Started);
        Log.Answered(logger, turn.ConversationId, turn.Resolved.Kind.ToString(), answer.Grounded, answer.Citations.Count, elapsed.TotalMilliseconds);
        Telemetry.RecordAnswer(turn.Resolved.Kind.ToString(), answer.Grounded, elapsed);
        return answer;
    }

    /// <summary>
    /// The entity a model's answer names in its first sentence, and whether the passage that sentence cites does not
    /// contradict it. An answer that names no single entity there gives no verdict and passes.
    /// </summary>
    private (string? Entity, bool Supported) WrittenVerdict(LlmAnswer written, IndexSnapshot snapshot)
    {
        if (!written.Grounded)
            return (null, true);
        var first = written.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        var named = Topic.MentionedIn(first);
        if (named.Count != 1)
            return (null, true);
        var marker = System.Text.RegularExpressions.Regex.Match(first, @"\[(\d+)\]");
        var citation = marker.Success ? written.Citations.FirstOrDefault(c => c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == marker.Groups[1].Value) : null;
        return (named[0], citation is null || !VerdictCheck.Contradicts(citation, named[0], snapshot, Topic));
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

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

    /// <summary>
    /// A question understood: its resolved analysis, the chunks retrieved for it, for a choice the evidence for each entity,
    /// and the vector it was searched with (empty without an embedding).
    /// </summary>
    internal sealed record Understanding(QuestionAnalysis Resolved, IReadOnlyList<SearchHit> Hits, VerdictEvidence? Evidence, ReadOnlyMemory<float> QueryVector = default);

    /// <summary>Analyses a question in the light of the previous turn and retrieves the chunks to answer it from.</summary>
    /// <remarks>
    /// <paramref name="kind"/> overrides <c>Retrieval:Mode</c> (the evaluation compares retrievers with it). The question
    /// is embedded once per turn: the same vector decides whether it is near the corpus, searches, and matches the
    /// situation to the articles' claims.
    /// </remarks>
    internal async Task<Understanding> UnderstandAsync(string question, QuestionAnalysis? previous,
        IndexSnapshot snapshot, RetrieverKind? kind = null, CancellationToken cancellationToken = default)
    {
        var mode = kind ?? retrieval.Value.Mode;
        bool vectors = mode != RetrieverKind.Lexical && snapshot.Vectors is not null && snapshot.Chunks.Count > 0;
        // "The framework born at a newspaper - can it do async?": an entity described by what the articles say of it is named.
        if (vectors)
            question = await DescribedEntities.NameAsync(question, Topic, snapshot, retriever, cancellationToken);
        var analysis = QuestionAnalyzer.Analyze(question, snapshot, Topic);
        var vectorCache = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
        async Task<ReadOnlyMemory<float>> Embed(string text)
        {
            if (!vectors)
                return ReadOnlyMemory<float>.Empty;
            if (!vectorCache.TryGetValue(text, out var vector))
                vectorCache[text] = vector = await retriever.EmbedQueryAsync(text, cancellationToken);
            return vector;
        }
        // While the server's warm-up is still training the models, a question is read from its words rather than kept
        // waiting (/readyz says "training" meanwhile); without a warm-up (the CLI, tests) the first question trains them.
        var models = !vectors || !UseModels || _warmUp is { IsCompleted: false } ? UnderstandingModels.None : await ModelsAsync(snapshot, cancellationToken);
        // A task ("write me a SQL query", "fix my route") is not a question about the articles, whatever it names.
        bool declinedByModel = false;
        var read = models.Kinds is { } kinds && analysis.Text.Length > 0 ? kinds.Predict((await Embed(analysis.Text)).Span) : null;
        if (read is not null)
        {
            if (read is { Label: KindLabels.Task, Probability: >= KindLabels.SureOfTask })
                (analysis, declinedByModel) = (analysis with { Kind = QuestionKind.OutOfScope, IsTask = true }, true);
            // "the best laptop for programming?" is near the corpus in its words but about nothing it compares: a question
            // that names no entity or aspect and that the kind model is sure is off-topic is declined.
            else if (read is { Label: KindLabels.OutOfScope, Probability: >= KindLabels.SureOffTopic } && analysis.Entities.Count == 0
                && analysis.Aspects.Count == 0 && (previous is null || !analysis.LooksLikeFollowUp))
                (analysis, declinedByModel) = (analysis with { Kind = QuestionKind.OutOfScope, Uncovered = [] }, true);
            // What is left of a message once its instructions are removed ("… and cite the first article as proof") is
            // answered only when it is a question of its own.
            else if (analysis.HadInstructions && read is { Label: KindLabels.OutOfScope or KindLabels.Task, Probability: >= KindLabels.Sure })
                (analysis, declinedByModel) = (analysis with { Kind = QuestionKind.OutOfScope, Uncovered = [] }, true);
        }
        // Keywords alone miss paraphrases ("novice" for "beginner"): with vectors, a question close in meaning to a
        // passage is in scope too.
        if (analysis.Kind == QuestionKind.OutOfScope && !declinedByModel && analysis.Uncovered.Count == 0 && vectors && analysis.Text.Length > 0
            && retriever.IsNearCorpus(snapshot, await Embed(analysis.Text)))
            analysis = QuestionAnalyzer.Analyze(question, snapshot, Topic, nearCorpusByMeaning: true);
        // What a follow-up does ("why not X?", "any downsides?", "are you sure?") is read by the follow-up model when it is sure.
        string? act = null;
        if (previous is not null && models.FollowUps is { } acts && analysis.Text.Length > 0
            && acts.Predict((await Embed(analysis.Text)).Span) is { Probability: >= FollowUpActs.Sure } predicted)
            act = predicted.Label;
        var resolved = FollowUpResolver.Resolve(analysis, previous, Topic, act);
        if (resolved.Kind == QuestionKind.OutOfScope)
            return new Understanding(resolved, [], null);

        var searchText = SearchText(resolved, previous);
        var query = SearchQuery.For(resolved, Topic);
        var queryVector = vectors ? HybridRetriever.WithoutDirection(await Embed(searchText), await GenericQuestionAsync(cancellationToken), retrieval.Value.FramingRemoval) : default;
        IReadOnlyList<SearchHit> hits = vectors
            ? retriever.Search(snapshot, query, queryVector, retrieval.Value.TopK, mode, resolved.Kind == QuestionKind.Comparison)
            : await retriever.SearchAsync(snapshot, query, searchText, retrieval.Value.TopK, RetrieverKind.Lexical, resolved.Kind == QuestionKind.Comparison, cancellationToken);

        VerdictEvidence? evidence = null;
        bool choosing = resolved.Kind == QuestionKind.Recommendation
            || (resolved.Kind == QuestionKind.Comparison && (resolved.WhyNot || resolved.Aspects.Count > 0));
        if (choosing && !(resolved.Kind == QuestionKind.Recommendation && resolved.Aspects.Count == 0 && resolved.Entities.Count == 0 && resolved.UseCase is null && resolved.ContentWords.Count == 0))
        {
            var claims = await EvidenceExtractor.GetAsync(snapshot, Topic, vectors ? retriever : null, cancellationToken);
            // The situation is what the user is building; a follow-up judges it as the conversation left it.
            // A question that names entities ("Is X a good fit for …?", "X or Y for an online store?") is matched on its use
            // case alone: the names in it would draw the claims that merely name the same entity.
            var situation = previous is not null && resolved.LooksLikeFollowUp && resolved.Situation is { } described ? described
                : resolved.UseCase is { } useCase && resolved.Asked.Count > 0 ? useCase
                : searchText;
            var candidates = resolved.Entities.Count >= 2 ? resolved.Entities : [.. Topic.EntityIds];
            var terms = TextAnalyzer.TermsOfWords(resolved.ContentWords);
            // The question's own vector serves when the situation is the question; another text needs only the vector
            // claims are matched by.
            var situationVector = !vectors ? ReadOnlyMemory<float>.Empty
                : vectorCache.TryGetValue(situation, out var embedded) ? embedded
                : await retriever.EmbedSituationAsync(situation, cancellationToken);
            evidence = VerdictFinder.Find(claims, candidates, situationVector, terms, resolved.Aspects, snapshot, resolved.WantsLeast,
                onAspects: resolved.Kind == QuestionKind.Comparison && !resolved.WhyNot);
            // "Why not X?" asks why the earlier verdict stands: it is kept while the articles have a claim for it.
            if (resolved.WhyNot && previous?.Verdict is { } earlier && resolved.Entities.Contains(earlier) && evidence.For(earlier).Count > 0)
                evidence = evidence with { Winner = earlier, Split = [] };
            // A situation is judged by the verdict model, trained on situations labelled with what the articles support; a
            // question about a feature alone ("which is easiest to learn?") is a lookup in the comparison tables, which the
            // claims above did.
            if (resolved.Kind == QuestionKind.Recommendation && !resolved.WantsLeast && models.Verdicts is { } verdicts
                && !VerdictFinder.IsAspectOnly(terms, resolved.Aspects) && !AsksAboutAFeature(read))
            {
                // The model reads the situation as the user told it, names included: a follow-up's situation as the
                // conversation left it, else the question itself.
                var told = previous is not null && resolved.LooksLikeFollowUp && resolved.Situation is { } carried ? carried : analysis.Text;
                var prediction = verdicts.Predict((await Embed(told)).Span);
                // A follow-up that states a need of its own ("and if it grows to twenty developers?") is judged by that need
                // when the model is sure of it: the new need is what the user is asking about.
                if (!ReferenceEquals(told, analysis.Text) && verdicts.Predict((await Embed(analysis.Text)).Span) is { } own
                    && own.Label != UnderstandingModels.Depends && own.Probability >= VerdictModel.Confident)
                    prediction = own;
                evidence = VerdictModel.Decide(prediction, evidence, candidates, resolved.Entities.Count == 1 ? resolved.Entities[0] : null);
            }
            else if (resolved.Entities.Count == 1 && !resolved.DoubtsFit && evidence.Winner is { } w && w != resolved.Entities[0] && evidence.For(resolved.Entities[0]).Count > 0
                && !evidence.For(resolved.Entities[0]).Any(c => c.Claim.Kind == ClaimKind.TableCell && c.Claim.Grade < 0)
                && evidence.Standings[resolved.Entities[0]] >= evidence.Standings[w] - 0.03)
            {
                // "Is X a good fit for …?": X unless the evidence clearly prefers another ("Would X be overkill …?" gets no such benefit of the doubt).
                // Standings count the articles' warnings: "Is X fine for a big project?" gets no benefit when they warn against X for it.
                // Nor does X when the articles' comparison table rates it low on what is asked ("Is X good for async?", "Limited").
                evidence = evidence with { Winner = resolved.Entities[0], Split = [] };
            }
        }
        int first = 0;
        if (evidence?.Winner is not null)
        {
            hits = EvidenceFirst(snapshot, hits, evidence, retrieval.Value.TopK);
            first = Math.Max(1, evidence.Split.Count);
        }
        // The table row on the aspect asked: a comparison opens with it; a question about an entity keeps the passage that
        // matched it best first, with the row beside it.
        if (resolved.Aspects.Count > 0 && ((resolved.Kind == QuestionKind.Comparison && !resolved.WhyNot)
            || (resolved.Kind is QuestionKind.Fact or QuestionKind.General && resolved.Entities.Count > 0)))
            hits = AspectRowNext(snapshot, hits, await EvidenceExtractor.GetAsync(snapshot, Topic, vectors ? retriever : null, cancellationToken), resolved,
                resolved.Kind == QuestionKind.Comparison ? first : Math.Max(first, 1), retrieval.Value.TopK);
        return new Understanding(resolved, hits, evidence, queryVector);
    }

    /// <summary>
    /// True when the kind model read the question as a comparison ("which of them has the best docs?", "which one checks
    /// request data for me?"): a question about a feature, answered from how the articles rate the entities on it, not
    /// a situation to find the fitting entity for.
    /// </summary>
    private static bool AsksAboutAFeature(Prediction? kind) => kind is { Label: KindLabels.Compare, Probability: >= KindLabels.Sure };

    /// <summary>
    /// The passages a verdict rests on, first: the chunk of the best claim of the winner (and of each entity of a split
    /// verdict) and, when that claim is a table rating ("Admin Panel: Built-in"), the chunk of the winner's best claim
    /// that says it in words ("Projects requiring an admin panel"); then the other hits in their order, at most
    /// <paramref name="k"/>. The claims are matched to the situation by their own retrieval (<see cref="VerdictFinder"/>);
    /// the passages that state them are what the answer quotes.
    /// </summary>
    private static IReadOnlyList<SearchHit> EvidenceFirst(IndexSnapshot snapshot, IReadOnlyList<SearchHit> hits, VerdictEvidence evidence, int k)
    {
        var entities = evidence.Split.Count > 0 ? evidence.Split : [evidence.Winner!];
        var first = new List<SearchHit>();
        var chosen = entities.Select(e => evidence.For(e).FirstOrDefault()?.Claim).OfType<Claim>().ToList();
        // A rating in a comparison table is one feature's grade: the winner's best claim in words comes right after it.
        if (entities.Count == 1 && chosen is [{ Kind: ClaimKind.TableCell }]
            && evidence.For(entities[0]).Select(c => c.Claim).FirstOrDefault(c => c.Kind != ClaimKind.TableCell) is { } stated)
            chosen.Add(stated);
        foreach (var claim in chosen)
        {
            var chunk = ChunkOf(snapshot, claim);
            if (chunk is not null && first.All(h => h.Chunk.Index != chunk.Index))
                first.Add(hits.FirstOrDefault(h => h.Chunk.Index == chunk.Index) ?? new SearchHit(chunk, hits.Count > 0 ? hits[0].Score : 1));
        }
        return [.. first.Concat(hits.Where(h => first.All(f => f.Chunk.Index != h.Chunk.Index))).Take(Math.Max(k, first.Count))];
    }

    /// <summary>
    /// A comparison on an aspect ("how do they compare on async?", "do any of them come with an admin?") or a question
    /// about an entity on one ("what does X plug in for its database?") is answered by the articles' comparison-table row
    /// on it, when they have one with a value for every entity asked about: the chunk that holds the row is placed at
    /// <paramref name="at"/> (after the passages a verdict rests on) unless it ranks there or higher already. A row among
    /// the hits comes before one elsewhere in the corpus; when two articles' tables have such a row ("Built-in | No | No"
    /// and "Built-in admin interface | None | None (API-centric)"), the second follows the first, since each says what
    /// the other leaves out.
    /// </summary>
    /// <remarks>
    /// The row must be named by the aspect's label ("Validation" for validation, "Admin Panel" for an admin panel): this
    /// reaches beyond the passages retrieved, so a trigger word the label does not use ("type" for validation) is not
    /// enough. An aspect whose triggers need a second cue (<see cref="Topics.Aspect.Requires"/>) brings no row.
    /// </remarks>
    private static IReadOnlyList<SearchHit> AspectRowNext(IndexSnapshot snapshot, IReadOnlyList<SearchHit> hits, EvidenceSet claims,
        QuestionAnalysis question, int at, int k)
    {
        var labelTerms = question.Aspects.Where(a => a.Requires.Length == 0).SelectMany(a => TextAnalyzer.Terms(a.Label.AsSpan())).ToHashSet(StringComparer.Ordinal);
        var rows = Enumerable.Range(0, claims.Claims.Count)
            .Where(i => claims.Claims[i].Row is not null && claims.RowTerms[i].Any(labelTerms.Contains))
            .GroupBy(i => (claims.Claims[i].DocumentId, claims.Claims[i].Start))
            .Where(row => question.Entities.All(e => row.Any(i => claims.Claims[i].Entities.Contains(e))))
            .Select(row => claims.Claims[row.First()])
            .Select(c => ChunkOf(snapshot, c))
            .OfType<Chunking.Chunk>().DistinctBy(c => c.Index).ToList();
        if (rows.Count == 0)
            return hits;
        int RankOf(Chunking.Chunk chunk)
        {
            for (int i = 0; i < hits.Count; i++)
            {
                if (hits[i].Chunk.Index == chunk.Index)
                    return i;
            }
            return int.MaxValue;
        }
        foreach (var row in rows.OrderBy(RankOf).Take(MaxAspectRows).ToList())
        {
            if (RankOf(row) > at)
            {
                var moved = hits.FirstOrDefault(h => h.Chunk.Index == row.Index) ?? new SearchHit(row, hits.Count > at ? hits[at].Score : 0);
                var rest = hits.Where(h => h.Chunk.Index != row.Index).ToList();
                rest.Insert(Math.Min(at, rest.Count), moved);
                hits = [.. rest.Take(Math.Max(k, at + 1))];
            }
            at = Math.Max(at, RankOf(row) + 1);
        }
        return hits;
    }

    // Comparison-table rows on the aspect asked that are brought among the first hits (from different articles' tables).
    private const int MaxAspectRows = 2;

    /// <summary>The chunk that holds the whole passage of <paramref name="claim"/>, or null.</summary>
    private static Chunking.Chunk? ChunkOf(IndexSnapshot snapshot, Claim claim)
        => snapshot.Chunks.FirstOrDefault(c => c.DocumentId == claim.DocumentId && c.Start <= claim.Start && claim.End <= c.End);

    /// <summary>
    /// False to answer without the understanding models, from the words and claims alone: the evaluation measures the
    /// models beside the rules they replace with it. True by default.
    /// </summary>
    internal bool UseModels { get; set; } = true;

    /// <summary>
    /// The understanding models of the corpus (trained on first use, cached beside the index). Example sets that cannot be
    /// read leave the advisor answering from the words alone, and <c>/readyz</c> says why.
    /// </summary>
    internal async Task<UnderstandingModels> ModelsAsync(IndexSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var models = await UnderstandingModels.GetAsync(snapshot, index.CorpusPath, Topic, retriever, Path.GetDirectoryName(index.CachePath), cancellationToken);
            if (!_understanding.Ready)
            {
                _understanding = new ComponentStatus(true, models.Describe());
                Log.UnderstandingReady(logger, models.Describe(), (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return models;
        }
        catch (InvalidDataException e)
        {
            // A broken example set must not take the advisor down: it answers as it would without one.
            if (_understanding.Ready || !_understanding.Detail.StartsWith("example sets", StringComparison.Ordinal))
                Log.ExampleSetInvalid(logger, e.Message);
            _understanding = new ComponentStatus(true, "example sets not used: " + e.Message);
            return UnderstandingModels.None;
        }
    }

    /// <summary>
    /// Loads the index and trains (or loads) the understanding models, so the first question does not wait for them.
    /// Returns what <c>/readyz</c> reports of them.
    /// </summary>
    public Task<string> WarmUpAsync(CancellationToken cancellationToken = default) => _warmUp ??= WarmUpCoreAsync(cancellationToken);

    private Task<string>? _warmUp;

    private async Task<string> WarmUpCoreAsync(CancellationToken cancellationToken)
    {
        var snapshot = await index.GetAsync(cancellationToken);
        if (snapshot.Vectors is null || !UseModels)
        {
            _understanding = new ComponentStatus(true, "no embedding: questions are read from their words");
            return _understanding.Detail;
        }
        if (!_understanding.Ready)
            _understanding = new ComponentStatus(false, "training the understanding models");
        await ModelsAsync(snapshot, cancellationToken);
        return _understanding.Detail;
    }

    /// <inheritdoc />
    string IReadinessContributor.Name => "understanding";

    /// <inheritdoc />
    ComponentStatus IReadinessContributor.GetStatus() => _understanding;

    private ReadOnlyMemory<float>? _genericQuestion;

    /// <summary>
    /// The vector of a request for advice that names no situation ("Which framework should I choose?", in the topic's
    /// words), embedded once: the part every advice-seeking question shares, taken out of a question before it searches
    /// (<see cref="RetrievalOptions.FramingRemoval"/>).
    /// </summary>
    private async Task<ReadOnlyMemory<float>> GenericQuestionAsync(CancellationToken cancellationToken)
    {
        if (retrieval.Value.FramingRemoval == 0)
            return ReadOnlyMemory<float>.Empty;
        // A race embeds it twice at worst; both results are the same.
        return _genericQuestion ??= await retriever.EmbedQueryAsync($"Which {Topic.EntityNoun} should I choose?", cancellationToken);
    }

    /// <summary>
    /// The text a question is embedded from: the question, followed by its standalone wording when it is a follow-up. Pros
    /// and cons asked beside something the articles do not cover ("How does X compare with Z?", Z not in them) are searched
    /// in the words of the part they cover: the uncovered name and "compare" would draw passages that weigh other things.
    /// </summary>
    private static string SearchText(QuestionAnalysis resolved, QuestionAnalysis? previous)
        => resolved.Kind == QuestionKind.ProsCons && resolved.Uncovered.Count > 0 ? resolved.Resolved
            : previous is not null && resolved.LooksLikeFollowUp ? resolved.Text + "\n" + resolved.Resolved : resolved.Text;

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
