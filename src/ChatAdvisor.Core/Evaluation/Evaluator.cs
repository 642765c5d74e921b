using System.Diagnostics;
using System.Text.RegularExpressions;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.DependencyInjection;

namespace ChatAdvisor.Core.Evaluation;

/// <summary>Retrieval figures for one retriever over a set of turns.</summary>
public sealed record RetrievalFigures(int Questions, double RecallAt1, double RecallAt3, double RecallAt5, double Mrr);

/// <summary>Retrieval figures of one retriever over the whole set and over the paraphrase subset.</summary>
/// <param name="All">Every turn with expected passages.</param>
/// <param name="Paraphrase">Turns of cases tagged "paraphrase" (few words in common with the answering passage).</param>
public sealed record RetrieverFigures(RetrievalFigures All, RetrievalFigures Paraphrase);

/// <summary>A turn that missed a target, and why.</summary>
public sealed record EvalFailure(string CaseId, int Turn, string Question, string Problem);

/// <summary>The outcome of an evaluation run.</summary>
public sealed record EvalReport
{
    /// <summary>Cases and turns evaluated.</summary>
    public required int Cases { get; init; }

    /// <summary>Turns evaluated.</summary>
    public required int Turns { get; init; }

    /// <summary>Passage retrieval over the turns that name expected passages.</summary>
    public required RetrievalFigures Retrieval { get; init; }

    /// <summary>Passage retrieval per retriever ("lexical", "vector", "hybrid"), each with the same analysed questions.</summary>
    public IReadOnlyDictionary<string, RetrieverFigures> Retrievers { get; init; } = new Dictionary<string, RetrieverFigures>();

    /// <summary>Share of expected facts found in the answers.</summary>
    public required double KeyFactCoverage { get; init; }

    /// <summary>Share of turns where the advisor answered or declined as expected.</summary>
    public required double RefusalAccuracy { get; init; }

    /// <summary>Share of turns with an expected verdict whose first sentence gives it (the entity, "split" or "not covered").</summary>
    public double VerdictAccuracy { get; init; } = 1;

    /// <summary>Turns scored on their verdict.</summary>
    public int VerdictTurns { get; init; }

    /// <summary>Share of the answers' bullets that are about what was asked (turns with <see cref="EvalTurn.About"/>).</summary>
    public double BulletRelevance { get; init; } = 1;

    /// <summary>Bullets checked.</summary>
    public int Bullets { get; init; }

    /// <summary>Share of follow-up turns (the second and later turns of a conversation) that meet every expectation they state.</summary>
    public double FollowUpAccuracy { get; init; } = 1;

    /// <summary>Follow-up turns scored.</summary>
    public int FollowUpTurns { get; init; }

    /// <summary>Share of turns that are partly or wholly outside the articles answered as such: refused, or naming the uncovered part.</summary>
    public double PartialAccuracy { get; init; } = 1;

    /// <summary>Partial and refusal turns scored.</summary>
    public int PartialTurns { get; init; }

    /// <summary>Share of citations whose quote is verbatim in the cited article at its offsets.</summary>
    public required double CitationFaithfulness { get; init; }

    /// <summary>Citations checked.</summary>
    public required int Citations { get; init; }

    /// <summary>Citations that do not support the sentence they are attached to (<see cref="Answering.CitationSupport"/>); the target is 0.</summary>
    public int UnsupportedCitations { get; init; }

    /// <summary>Median time of one in-process answer, in milliseconds (warm, over every single-turn question; the question's embedding included).</summary>
    public required double MedianAnswerMilliseconds { get; init; }

    /// <summary>The 99th percentile of the same answer times, in milliseconds.</summary>
    public required double P99AnswerMilliseconds { get; init; }

    /// <summary>Time to build the index from the corpus, in milliseconds.</summary>
    public required double IndexBuildMilliseconds { get; init; }

    /// <summary>Turns that missed a target.</summary>
    public required IReadOnlyList<EvalFailure> Failures { get; init; }

    /// <summary>Misses counted but not listed in <see cref="Failures"/> (see <see cref="WithoutMisses"/>).</summary>
    public int WithheldMisses { get; init; }

    /// <summary>
    /// The report without its misses, for a held-out set shown beside the set being tuned on: its figures are reported,
    /// its cases are not read while tuning.
    /// </summary>
    public EvalReport WithoutMisses() => this with { Failures = [], WithheldMisses = WithheldMisses + Failures.Count };

    /// <summary>Prints the report for a terminal.</summary>
    public async Task PrintAsync(TextWriter output)
    {
        await output.WriteLineAsync($"Evaluation: {Cases} cases, {Turns} turns");
        await output.WriteLineAsync($"  passage recall@1      {Retrieval.RecallAt1:0.000}   ({Retrieval.Questions} questions with expected passages)");
        await output.WriteLineAsync($"  passage recall@3      {Retrieval.RecallAt3:0.000}");
        await output.WriteLineAsync($"  passage recall@5      {Retrieval.RecallAt5:0.000}");
        await output.WriteLineAsync($"  MRR                   {Retrieval.Mrr:0.000}");
        if (Retrievers.Count > 0)
        {
            await output.WriteLineAsync("  retriever    set          questions  recall@1  recall@3  recall@5    MRR");
            foreach (var (name, figures) in Retrievers)
            {
                foreach (var (set, f) in new[] { ("all", figures.All), ("paraphrase", figures.Paraphrase) })
                    await output.WriteLineAsync($"  {name,-12} {set,-12} {f.Questions,9}  {f.RecallAt1,8:0.000}  {f.RecallAt3,8:0.000}  {f.RecallAt5,8:0.000}  {f.Mrr,5:0.000}");
            }
        }
        await output.WriteLineAsync($"  verdict accuracy      {VerdictAccuracy:0.000}   ({VerdictTurns} turns)");
        await output.WriteLineAsync($"  follow-up accuracy    {FollowUpAccuracy:0.000}   ({FollowUpTurns} turns)");
        await output.WriteLineAsync($"  partial/refusal acc.  {PartialAccuracy:0.000}   ({PartialTurns} turns)");
        await output.WriteLineAsync($"  bullet relevance      {BulletRelevance:0.000}   ({Bullets} bullets)");
        await output.WriteLineAsync($"  key-fact coverage     {KeyFactCoverage:0.000}");
        await output.WriteLineAsync($"  refusal accuracy      {RefusalAccuracy:0.000}");
        await output.WriteLineAsync($"  citation faithfulness {CitationFaithfulness:0.000}   ({Citations} citations)");
        await output.WriteLineAsync($"  unsupported citations {UnsupportedCitations}");
        await output.WriteLineAsync($"  answer time           p50 {MedianAnswerMilliseconds:0.0} ms, p99 {P99AnswerMilliseconds:0.0} ms (in process, question embedding included)");
        await output.WriteLineAsync($"  index build time      {IndexBuildMilliseconds:0.0} ms");
        if (WithheldMisses > 0)
            await output.WriteLineAsync($"Misses: {WithheldMisses}, not listed here (this set is for reporting, not for tuning; --set lists them).");
        if (Failures.Count > 0)
        {
            await output.WriteLineAsync($"Misses ({Failures.Count}):");
            foreach (var f in Failures)
                await output.WriteLineAsync($"  {f.CaseId}#{f.Turn} \"{f.Question}\": {f.Problem}");
        }
    }
}

/// <summary>Runs an <see cref="EvalSet"/> against the advisor in process.</summary>
public static partial class Evaluator
{
    /// <summary>Evaluates every case, each in a conversation of its own.</summary>
    public static async Task<EvalReport> RunAsync(IServiceProvider services, EvalSet set, CancellationToken cancellationToken = default)
    {
        var advisor = services.GetRequiredService<Advisor>();
        var provider = services.GetRequiredService<IndexProvider>();
        var conversations = services.GetRequiredService<IConversationStore>();

        var build = Stopwatch.StartNew();
        var snapshot = await provider.RebuildAsync(force: true, cancellationToken: cancellationToken);
        build.Stop();

        var ranks = new List<int?>();
        RetrieverKind[] kinds = [RetrieverKind.Lexical, RetrieverKind.Vector, RetrieverKind.Hybrid];
        var ranksByKind = kinds.ToDictionary(k => k, _ => (All: new List<int?>(), Paraphrase: new List<int?>()));
        int facts = 0, factsFound = 0, refusalRight = 0, turns = 0, citations = 0, faithful = 0, unsupported = 0;
        int verdictTurns = 0, verdictRight = 0, bullets = 0, relevantBullets = 0, followUps = 0, followUpsRight = 0, partials = 0, partialsRight = 0;
        var topic = advisor.Topic;
        var failures = new List<EvalFailure>();

        foreach (var @case in set.Cases)
        {
            var conversationId = "eval-" + @case.Id + "-" + ConversationIds.New();
            for (int t = 0; t < @case.Turns.Count; t++)
            {
                var turn = @case.Turns[t];
                var history = await conversations.GetTurnsAsync(conversationId, cancellationToken);
                var previous = history.Count > 0 ? history[^1].Understood.ToAnalysis(topic) : null;
                var (_, hits, _, _) = await advisor.UnderstandAsync(turn.Question, previous, snapshot, cancellationToken: cancellationToken);
                if (turn.Passages.Count > 0)
                {
                    foreach (var kind in kinds)
                    {
                        var (_, kindHits, _, _) = await advisor.UnderstandAsync(turn.Question, previous, snapshot, kind, cancellationToken);
                        var rank = RankOf(kindHits, turn.Passages);
                        ranksByKind[kind].All.Add(rank);
                        if (@case.Tags.Contains("paraphrase"))
                            ranksByKind[kind].Paraphrase.Add(rank);
                    }
                }
                var answer = await advisor.AskAsync(turn.Question, conversationId, cancellationToken);
                turns++;
                int failuresBefore = failures.Count;

                if (turn.Passages.Count > 0)
                {
                    int? rank = null;
                    for (int i = 0; i < hits.Count && rank is null; i++)
                    {
                        if (turn.Passages.Any(p => Contains(hits[i].Chunk.Text, p)))
                            rank = i + 1;
                    }
                    ranks.Add(rank);
                    if (rank is null or > 3)
                        failures.Add(new EvalFailure(@case.Id, t + 1, turn.Question, rank is null ? "expected passage not retrieved" : $"expected passage only at rank {rank}"));
                }

                foreach (var fact in turn.Facts)
                {
                    facts++;
                    if (fact.Split('|').Any(alt => Contains(answer.Text, alt)))
                        factsFound++;
                    else
                        failures.Add(new EvalFailure(@case.Id, t + 1, turn.Question, $"answer lacks \"{fact}\""));
                }

                // A partly covered question may be answered in part or only told what is not covered.
                if (answer.Grounded != turn.Refuse || (turn.NotCovered is not null && !turn.Refuse))
                    refusalRight++;
                else
                    failures.Add(new EvalFailure(@case.Id, t + 1, turn.Question, turn.Refuse ? "answered a question the articles do not cover" : "declined a question the articles cover"));

                if (turn.Articles.Count > 0 && answer.Grounded && !answer.Citations.Any(c => turn.Articles.Contains(c.DocumentId)))
                    failures.Add(new EvalFailure(@case.Id, t + 1, turn.Question, $"cites none of {string.Join(", ", turn.Articles)}"));

                if (turn.Verdict is { } expected)
                {
                    verdictTurns++;
                    var sentence = VerdictSentence(answer.Text);
                    if (GivesVerdict(sentence, expected, answer.Grounded, topic))
                        verdictRight++;
                    else
                        failures.Add(new EvalFailure(@case.Id, t + 1, turn.Question, $"verdict is not {expected}: \"{sentence}\""));
                }

                if (turn.NotCovered is not null || turn.Refuse)
                {
                    partials++;
                    bool named = turn.NotCovered is null || turn.NotCovered.Split('|').Any(part => SaysNotCovered(answer.Text, part));
                    if (named && (!turn.Refuse || !answer.Grounded))
                        partialsRight++;
                    else if (!named)
                        failures.Add(new EvalFailure(@case.Id, t + 1, turn.Question, $"does not say that {turn.NotCovered} is not covered"));
                }

                if (turn.About.Count > 0)
                {
                    foreach (var bullet in Bullets(answer.Text))
                    {
                        bullets++;
                        var cited = Regex.Matches(bullet, @"\[(\d+)\]").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
                            .Select(id => answer.Citations.FirstOrDefault(c => c.Id == id)?.Section ?? "");
                        if (turn.About.Any(a => Contains(bullet, a) || cited.Any(section => Contains(section, a))))
                            relevantBullets++;
                        else
                            failures.Add(new EvalFailure(@case.Id, t + 1, turn.Question, $"bullet not about {string.Join("/", turn.About)}: \"{bullet}\""));
                    }
                }

                foreach (var (id, reason) in Answering.CitationSupport.Unsupported(answer.Text, answer.Citations, snapshot, topic))
                {
                    unsupported++;
                    failures.Add(new EvalFailure(@case.Id, t + 1, turn.Question, $"citation {reason}"));
                }
                foreach (var citation in answer.Citations)
                {
                    citations++;
                    var text = snapshot.Article(citation.DocumentId).Article.Text;
                    if (citation.Start >= 0 && citation.End <= text.Length && text[citation.Start..citation.End] == citation.Quote)
                        faithful++;
                    else
                        failures.Add(new EvalFailure(@case.Id, t + 1, turn.Question, $"citation [{citation.Id}] is not verbatim"));
                }

                // A follow-up is right when it meets everything its turn expects (verdict, facts, coverage, refusal).
                if (t > 0 && (turn.Verdict is not null || turn.Facts.Count > 0 || turn.NotCovered is not null || turn.Refuse))
                {
                    followUps++;
                    if (!failures.Skip(failuresBefore).Any(f => !f.Problem.StartsWith("expected passage", StringComparison.Ordinal) && !f.Problem.StartsWith("bullet", StringComparison.Ordinal)))
                        followUpsRight++;
                }
            }
        }

        // Latency: warm, every single-turn question answered again in fresh conversations.
        var singles = set.Cases.Where(c => c.Turns.Count == 1).Select(c => c.Turns[0].Question).ToList();
        var times = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            foreach (var question in singles)
            {
                var started = Stopwatch.GetTimestamp();
                await advisor.AskAsync(question, null, cancellationToken);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        times.Sort();

        return new EvalReport
        {
            Cases = set.Cases.Count,
            Turns = turns,
            Retrieval = Figures(ranks),
            Retrievers = kinds.ToDictionary(k => k.ToString().ToLowerInvariant(), k => new RetrieverFigures(Figures(ranksByKind[k].All), Figures(ranksByKind[k].Paraphrase))),
            KeyFactCoverage = facts == 0 ? 1 : (double)factsFound / facts,
            VerdictAccuracy = verdictTurns == 0 ? 1 : (double)verdictRight / verdictTurns,
            VerdictTurns = verdictTurns,
            BulletRelevance = bullets == 0 ? 1 : (double)relevantBullets / bullets,
            Bullets = bullets,
            FollowUpAccuracy = followUps == 0 ? 1 : (double)followUpsRight / followUps,
            FollowUpTurns = followUps,
            PartialAccuracy = partials == 0 ? 1 : (double)partialsRight / partials,
            PartialTurns = partials,
            RefusalAccuracy = turns == 0 ? 1 : (double)refusalRight / turns,
            CitationFaithfulness = citations == 0 ? 1 : (double)faithful / citations,
            UnsupportedCitations = unsupported,
            Citations = citations,
            MedianAnswerMilliseconds = times.Count == 0 ? 0 : times[times.Count / 2],
            P99AnswerMilliseconds = times.Count == 0 ? 0 : times[Math.Min(times.Count - 1, (int)(times.Count * 0.99))],
            IndexBuildMilliseconds = build.Elapsed.TotalMilliseconds,
            Failures = failures,
        };
    }

    /// <summary>Recall@k and MRR from the 1-based rank of the first relevant hit of each question (null: not found).</summary>
    public static RetrievalFigures Figures(IReadOnlyList<int?> ranks)
    {
        if (ranks.Count == 0)
            return new RetrievalFigures(0, 0, 0, 0, 0);
        double At(int k) => ranks.Count(r => r <= k) / (double)ranks.Count;
        return new RetrievalFigures(ranks.Count, At(1), At(3), At(5), ranks.Sum(r => r is { } v ? 1.0 / v : 0) / ranks.Count);
    }

    /// <summary>
    /// The sentence that gives an answer's verdict: its first sentence, or the one after an opening that says which
    /// part of the question the articles do not cover.
    /// </summary>
    public static string VerdictSentence(string answer)
    {
        var sentences = Regex.Split(answer.Trim(), @"(?<=[.!?])\s+(?=[A-Z*|\-])|\n+").Where(s => s.Trim().Length > 0).ToList();
        if (sentences.Count == 0)
            return "";
        return sentences.Count > 1 && NotCoveredCue().IsMatch(sentences[0]) && !sentences[0].Contains("**", StringComparison.Ordinal) ? sentences[1] : sentences[0];
    }

    /// <summary>
    /// True when <paramref name="sentence"/> gives <paramref name="expected"/>: the entity is the first one it names (in
    /// bold when it bolds any), "split" names two or more or says it depends, "none" says the articles do not cover it.
    /// </summary>
    public static bool GivesVerdict(string sentence, string expected, bool grounded, Topics.TopicProfile topic)
    {
        if (expected == "none")
            return !grounded || NotCoveredCue().IsMatch(sentence);
        var bold = Regex.Matches(sentence, @"\*\*([^*]+)\*\*").Select(m => topic.MentionedIn(m.Groups[1].Value)).Where(e => e.Count > 0).Select(e => e[0]).ToList();
        var named = bold.Count > 0 ? bold : [.. topic.MentionedIn(sentence)];
        if (expected == "split")
            return named.Distinct().Count() >= 2 || Regex.IsMatch(sentence, @"\b(depends|no single|no universal|split)\b", RegexOptions.IgnoreCase);
        return named.Count > 0 && named[0] == expected;
    }

    /// <summary>True when <paramref name="answer"/> names <paramref name="part"/> in a sentence that says the articles do not cover it.</summary>
    public static bool SaysNotCovered(string answer, string part)
        => Regex.Split(answer, @"(?<=[.!?])\s+|\n+").Any(s => Contains(s, part) && NotCoveredCue().IsMatch(s));

    private static IEnumerable<string> Bullets(string answer)
        => answer.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- ", StringComparison.Ordinal));

    [GeneratedRegex(@"\b(don't|do not|doesn't|does not|isn't|is not|aren't|not covered|can't|cannot|no word|nothing)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NotCoveredCue();

    private static int? RankOf(IReadOnlyList<SearchHit> hits, IReadOnlyList<string> passages)
    {
        for (int i = 0; i < hits.Count; i++)
        {
            if (passages.Any(p => Contains(hits[i].Chunk.Text, p)))
                return i + 1;
        }
        return null;
    }

    private static bool Contains(string text, string snippet) => Normalize(text).Contains(Normalize(snippet), StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string s) => Regex.Replace(s, @"\s+", " ").Replace('’', '\'').Replace('“', '"').Replace('”', '"');
}
