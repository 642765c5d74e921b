using System.Text;
using System.Text.RegularExpressions;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Answering;

/// <summary>An answer as composed, before it is recorded in a conversation.</summary>
public sealed record ComposedAnswer(string Text, bool Grounded, IReadOnlyList<Citation> Citations, IReadOnlyList<string> Suggestions)
{
    /// <summary>The id of the entity the answer names as its verdict, if it names one.</summary>
    public string? Verdict { get; init; }
}

/// <summary>
/// The default answerer, with no language model: picks the sentences, list items and table rows of the retrieved
/// chunks that answer the question, writes a direct answer first and the supporting points after it, and cites
/// every sentence with [n]. Every quote is a verbatim span of the cited article. When nothing relevant is found
/// or the question is out of scope, it says so, cites nothing and suggests questions it can answer.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class ExtractiveComposer
{
    private const int MaxPoints = 4;
    private const int MaxQuoteLength = 600;

    [GeneratedRegex(@"\b(choose|choice|ideal|best|excellent|good option|strong choice|recommend|suited|favou?ring|great for|perfect|safest|go-to|stands out|outperforms?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex RecommendationCue();

    [GeneratedRegex(@"\b(pros?|advantages?|strengths?|benefits?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ProsHeading();

    [GeneratedRegex(@"\b(cons?|disadvantages?|drawbacks?|weakness(es)?|limitations?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ConsHeading();

    [GeneratedRegex(@"\b(when to choose|choose \w+ if|use cases?|best for)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ChoiceHeading();

    [GeneratedRegex(@"\b(not recommended|not as|smaller|fewer|lacks?|limited|difficult|challenging|heavy|complex|slower|waste|crowded|prone|no csrf|time-consuming|burden|restrictive|less suited|can feel)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WeaknessCue();

    [GeneratedRegex(@"\b(by|created|founded|author)\s+\p{Lu}\p{Ll}+\s+\p{Lu}", RegexOptions.None)]
    private static partial Regex PersonCue();

    [GeneratedRegex(@"\b(no (single|universal|such thing)|isn't a single|not (simply|static)|depends on|no universally|perfect framework|relative to the project)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NoSingleBest();

    [GeneratedRegex(@"^(It|Its|It's|It’s)\b")]
    private static partial Regex StartsWithPronoun();

    [GeneratedRegex(@"^\W*(it|its|it's|it’s|this|that|these|those|they|as a result|also)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LeansBack();

    // "X is usually the best starting point", "choose X for speed", "(favoring X)": built per topic from the entity names.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TopicProfile, Regex> Endorsements = [];

    private static Regex Endorsement(TopicProfile topic) => Endorsements.GetValue(topic, t =>
    {
        var names = string.Join('|', t.Entities.SelectMany(e => new[] { e.Name }.Concat(e.Aliases ?? [])).Select(Regex.Escape).OrderByDescending(n => n.Length));
        return new Regex($@"\b(?<f>{names})\s+(is|are|remains|offers|provides)\s+(usually\s+|often\s+|generally\s+|probably\s+)?(the\s+best|an?\s+excellent|a\s+strong|the\s+safest|the\s+most\s+productive|ideal|a\s+good|great|superior)|\b(choose|favou?ring|recommend(ing)?|use)\s+(?<f>{names})\b",
            RegexOptions.IgnoreCase | RegexOptions.Compiled);
    });

    [GeneratedRegex(@"\b(19|20)\d\d\b")]
    private static partial Regex YearCue();

    // "Which sites run on X?", "who uses X?": a question about who uses an entity.
    [GeneratedRegex(@"\b(websites|sites|companies|products|apps|who)\b.*\b(use|uses|using|used|run|runs|running|built with|powered by)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AsksForUsers();

    // "It is used by … websites like A, B and C": a passage that names who uses something.
    [GeneratedRegex(@"\b(used by|powered by|(websites|sites|companies) (like|such as))\b", RegexOptions.IgnoreCase)]
    private static partial Regex UsersCue();

    /// <summary>A candidate passage: one unit, or a whole list, with its score.</summary>
    private sealed record Candidate(Chunk Chunk, int Start, int End, double Score, IReadOnlyList<string> Entities, string? Section, int Block, bool IsList)
    {
        /// <summary>True when the passage explicitly recommends its entity ("X is usually the best starting point").</summary>
        public bool Endorses { get; init; }

        /// <summary>The share of the question's own topic terms the passage (or its heading) contains.</summary>
        public double Coverage { get; init; }

        /// <summary>The highest cosine of the question's vector with a unit of the passage (−∞ without vectors).</summary>
        public double Meaning { get; init; } = double.NegativeInfinity;

        /// <summary>True when the passage shares a topic word with the question (or the question has none).</summary>
        public bool SharesTopic { get; init; } = true;
    }

    /// <summary>
    /// Composes the answer to <paramref name="question"/> from <paramref name="hits"/>. A recommendation's verdict comes
    /// from <paramref name="evidence"/> (the claims that match the situation) when there is evidence; an answer whose
    /// verdict its own first citation does not support is not sent: it is composed again without a verdict.
    /// </summary>
    /// <remarks>
    /// <paramref name="queryVector"/> is the vector the question was searched with (empty without an embedding): a passage
    /// close to it in meaning counts even when it shares no word with the question ("Who wrote X?" → "released in 2010 by …").
    /// </remarks>
    /// <remarks>
    /// <paramref name="claims"/>, when given, are the articles' claims: pros and cons are told from the items the articles
    /// list as advantages and disadvantages of the entity asked about.
    /// </remarks>
    /// <remarks>
    /// <paramref name="alreadySaid"/>: the passage the previous answer opened with; a follow-up that asks for more is not answered with it again.
    /// </remarks>
    public static ComposedAnswer Compose(QuestionAnalysis question, IReadOnlyList<SearchHit> hits, IndexSnapshot index, TopicProfile topic,
        VerdictEvidence? evidence = null, ReadOnlyMemory<float> queryVector = default, EvidenceSet? claims = null, IReadOnlyList<Citation>? alreadySaid = null)
    {
        var composed = ComposeAnswer(question, hits, index, topic, evidence, queryVector, claims, alreadySaid);
        // Instructions hidden in the question are declined in so many words before anything else is said.
        return question.HadInstructions ? composed with { Text = topic.Say(topic.Texts.Instructions) + "\n\n" + composed.Text } : composed;
    }

    private static ComposedAnswer ComposeAnswer(QuestionAnalysis question, IReadOnlyList<SearchHit> hits, IndexSnapshot index, TopicProfile topic,
        VerdictEvidence? evidence, ReadOnlyMemory<float> queryVector, EvidenceSet? claims, IReadOnlyList<Citation>? alreadySaid)
    {
        if (question.Kind == QuestionKind.OutOfScope)
            return OutOfScope(question, topic);

        var candidates = Score(question, hits, index, topic, queryVector);
        if (alreadySaid is { Count: > 0 })
            candidates = [.. candidates.Where(c => !alreadySaid.Any(s => s.DocumentId == c.Chunk.DocumentId && s.Start < c.End && c.Start < s.End))];
        var relevant = candidates.Where(c => c.Score >= MinimumScore(question)).ToList();
        var partly = question.Uncovered.Count > 0
            ? topic.Say(topic.Texts.PartlyUncovered).Replace("{topics}", JoinTopics(question.Uncovered), StringComparison.Ordinal)
            : null;
        bool hasEvidence = evidence?.Winner is not null && question.Kind is QuestionKind.Recommendation or QuestionKind.Comparison;
        if (relevant.Count == 0 && !hasEvidence)
            return partly is null ? NotCovered(question, topic) : new ComposedAnswer(partly, false, [], Suggestions.After(question, null, topic));

        var composed = ComposeShaped(question, relevant, candidates, index, topic, evidence, partly, claims, queryVector);
        if (composed.Verdict is { } verdict && !VerdictCheck.IsSupported(composed, verdict, index, topic))
            composed = ComposeShaped(question, relevant, candidates, index, topic, evidence: null, partly, claims, queryVector, allowVerdict: false);
        return composed;
    }

    private static ComposedAnswer ComposeShaped(QuestionAnalysis question, List<Candidate> relevant, List<Candidate> all, IndexSnapshot index, TopicProfile topic,
        VerdictEvidence? evidence, string? partly, EvidenceSet? claims, ReadOnlyMemory<float> queryVector, bool allowVerdict = true)
    {
        var builder = new AnswerBuilder(index, topic);
        if (partly is not null)
            builder.Line(partly);
        string? verdict = null;
        switch (question.Kind)
        {
            case QuestionKind.Recommendation when allowVerdict && evidence?.Winner is not null:
                verdict = ComposeVerdict(question, evidence, builder, topic);
                break;
            case QuestionKind.Recommendation when relevant.Count > 0:
                // Evidence that was consulted and named no entity leaves no verdict to give.
                verdict = ComposeRecommendation(question, relevant, builder, topic, allowVerdict && evidence is null);
                break;
            case QuestionKind.Comparison when question.WhyNot && allowVerdict && evidence?.Winner is not null:
                verdict = ComposeWhyNot(question, evidence, builder, topic);
                break;
            case QuestionKind.Comparison when relevant.Count > 0:
                verdict = ComposeComparison(question, relevant, all, builder, topic, allowVerdict ? evidence : null);
                break;
            case QuestionKind.ProsCons when claims is not null && question.Entities.Count > 0 && ComposeListedProsCons(question, claims, queryVector, builder, topic):
                break;
            case QuestionKind.ProsCons when relevant.Count > 0:
                ComposeProsCons(question, relevant, builder, topic);
                break;
            default:
                if (relevant.Count > 0)
                    ComposeFact(question, relevant, all, builder, topic);
                break;
        }
        if (builder.Citations.Count == 0)
            return partly is null ? NotCovered(question, topic) : new ComposedAnswer(partly, false, [], Suggestions.After(question, null, topic));
        return new ComposedAnswer(builder.Text, true, builder.Citations, Suggestions.After(question, verdict, topic)) { Verdict = verdict };
    }

    private static string JoinTopics(IReadOnlyList<string> topics)
        => topics.Count == 1 ? topics[0] : string.Join(", ", topics.Take(topics.Count - 1)) + " or " + topics[^1];

    private static double MinimumScore(QuestionAnalysis question) => question.Entities.Count > 0 && question.ContentWords.Count == 0 ? 1.0 : 2.0;

    // The meaning of a passage adds up to MeaningWeight when it is the closest of all to the question, less the further it
    // falls behind the closest (nothing beyond MeaningWindow); a passage that shares no topic word with the question is kept
    // only within MeaningKeep of the closest.
    private const double MeaningWeight = 1.5;
    private const double MeaningWindow = 0.10;
    private const double MeaningKeep = 0.04;

    private static List<Candidate> Score(QuestionAnalysis question, IReadOnlyList<SearchHit> hits, IndexSnapshot index, TopicProfile topic,
        ReadOnlyMemory<float> queryVector)
    {
        var query = SearchQuery.For(question, topic);
        var endorsement = Endorsement(topic);
        var weights = query.Weights();
        var topicalTerms = weights.Keys.Where(t => topic.EntityOfTerm(t) is null).ToList();
        var ownTerms = query.Terms.Where(t => topic.EntityOfTerm(t) is null).Distinct().ToList();
        double topicalFloor = question.ContentWords.Count > 0 || question.Aspects.Count > 0 ? double.Epsilon : 0;
        var candidates = new List<Candidate>();
        var seen = new HashSet<(string, int)>();

        for (int rank = 0; rank < hits.Count; rank++)
        {
            var chunk = hits[rank].Chunk;
            var article = index.Article(chunk.DocumentId);
            var (firstUnit, unitCount) = index.UnitRange(chunk);
            var units = article.Units;
            var unitTerms = index.TermsOf(chunk.DocumentId);
            var unitMeaning = queryVector.Length > 0 ? index.UnitSimilarities(chunk, queryVector.Span) : [];
            foreach (var group in GroupUnits(units, firstUnit, firstUnit + unitCount, u => article.Article.Text[u.End - 1] == ':'))
            {
                if (!seen.Add((chunk.DocumentId, group.Start)))
                    continue;
                var span = article.Article.Text.AsSpan(group.Start, group.End - group.Start);
                var heading = article.Article.Sections[group.Section].Heading;
                var terms = group.First == group.Last ? unitTerms.Units[group.First] : Union(unitTerms.Units, group.First, group.Last);
                var headingTerms = unitTerms.Headings[group.Section];
                var mentioned = topic.EntityIds.Where(f => terms.Contains(topic.EntityTerms[f])).ToList();
                // Text before the first heading is about what the article's title names.
                var headingEntities = heading is null ? [.. topic.MentionedIn(article.Article.Title)] : topic.EntityIds.Where(f => headingTerms.Contains(topic.EntityTerms[f])).ToList();
                // A heading names the section's framework only when it names exactly one; a sentence that opens
                // with "It" is about the framework its paragraph's previous sentence is about.
                var about = mentioned.Count > 0 ? mentioned : headingEntities.Count == 1 ? headingEntities : [];
                if (headingEntities.Count == 1 && (group.IsList || group.Kind == UnitKind.ListItem))
                    about = headingEntities; // "Smaller ecosystem compared to X" under "Cons of Y" is about Y
                if (StartsWithPronoun().IsMatch(span) && group.Previous is { } previous)
                {
                    var subject = topic.MentionedIn(article.Article.Text.AsSpan(previous.Start, previous.End - previous.Start));
                    if (subject.Count > 0)
                        about = [subject[0]];
                }
                var endorsed = endorsement.Match(span.ToString()) is { Success: true } e ? topic.MentionedIn(e.Groups["f"].Value).FirstOrDefault() : null;

                double score = 0, ownTopical = 0;
                foreach (var term in topicalTerms)
                {
                    if (terms.Contains(term))
                    {
                        score += index.Lexical.Idf(term) * weights[term];
                        ownTopical += 1;
                    }
                    else if (headingTerms.Contains(term))
                    {
                        score += 0.5 * index.Lexical.Idf(term) * weights[term];
                    }
                }
                // Lists take their meaning from their heading ("Cons of X"); sentences must match on their own.
                bool isList = group.IsList || group.Kind == UnitKind.ListItem;

                // A passage that shares no topic word with the question is only worth its framework names when the
                // question has no topic words of its own ("Tell me about X").
                double topical = isList ? score : ownTopical;
                var targets = question.Entities;
                bool sharesTopic = topical >= topicalFloor;
                if (targets.Count > 0)
                {
                    int hitsOnTarget = targets.Count(about.Contains);
                    score += 1.5 * hitsOnTarget;
                    if (hitsOnTarget == 0 && about.Count > 0)
                        score *= question.Kind == QuestionKind.Comparison ? 0.6 : 0.25;
                    if (question.Kind == QuestionKind.ProsCons && targets.Count == 1 && hitsOnTarget == 0)
                        score *= 0.5;
                }

                var headingText = heading ?? "";
                bool headingOnTarget = targets.Count == 0 || headingEntities.Any(targets.Contains);
                if (question.Kind == QuestionKind.ProsCons && headingOnTarget)
                {
                    if (question.WantsCons && ConsHeading().IsMatch(headingText))
                        score += 5;
                    if (question.WantsPros && ProsHeading().IsMatch(headingText))
                        score += 5;
                    if (question.WantsPros && !question.WantsCons && ConsHeading().IsMatch(headingText))
                        score *= 0.3;
                    if (question.WantsCons && !question.WantsPros && ProsHeading().IsMatch(headingText))
                        score *= 0.3;
                }
                if (question.Kind == QuestionKind.Fact)
                {
                    if (question.Text.StartsWith("who", StringComparison.OrdinalIgnoreCase) && PersonCue().IsMatch(span))
                        score += 3;
                    if (question.Text.StartsWith("when", StringComparison.OrdinalIgnoreCase) && YearCue().IsMatch(span))
                        score += 3;
                    // "Which sites run on X?" shares no word with "It is used by … websites like A and B".
                    if (AsksForUsers().IsMatch(question.Text) && UsersCue().IsMatch(span))
                    {
                        score += 5;
                        sharesTopic = true;
                    }
                    if (targets.Count > 0 && !about.Any(targets.Contains))
                        score *= about.Count > 0 ? 0.3 : 0.5;
                }
                if (question.Kind == QuestionKind.Recommendation && RecommendationCue().IsMatch(span))
                    score += 1;
                if (question.Kind == QuestionKind.Comparison && targets.Count >= 2 && targets.All(about.Contains))
                    score += 2;
                if (question.Kind == QuestionKind.Recommendation && endorsed is { } endorsedEntity)
                {
                    score += 2;
                    about = [endorsedEntity];
                }
                if (question.Kind == QuestionKind.Recommendation && ChoiceHeading().IsMatch(headingText))
                    score += 1;
                if (question.WhyNot && targets.Count > 0 && about.Contains(targets[0]) && (WeaknessCue().IsMatch(span) || ConsHeading().IsMatch(headingText)))
                    score += 3;

                score += 0.5 / (1 + rank);
                int words = span.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                if (words < 4 && !group.IsList && group.Kind is not (UnitKind.TableRow or UnitKind.TableHeader))
                    score *= 0.5;

                double coverage = ownTerms.Count == 0 ? 1 : ownTerms.Count(t => terms.Contains(t) || headingTerms.Contains(t)) / (double)ownTerms.Count;
                double meaning = double.NegativeInfinity;
                for (int u = Math.Max(group.First, firstUnit); u <= group.Last && u - firstUnit < unitMeaning.Length; u++)
                    meaning = Math.Max(meaning, unitMeaning[u - firstUnit] ?? double.NegativeInfinity);
                candidates.Add(new Candidate(chunk, group.Start, group.End, score, about, heading, group.Block, group.IsList)
                    { Endorses = endorsed is not null, Coverage = coverage, Meaning = meaning, SharesTopic = sharesTopic });
            }
        }
        // Meaning: a paraphrase ("who's behind X", "guard forms against request forgery") shares few words with the passage
        // that answers it, but is close to it by the embedding.
        double closest = candidates.Count == 0 ? double.NegativeInfinity : candidates.Max(c => c.Meaning);
        var kept = new List<Candidate>(candidates.Count);
        foreach (var c in candidates)
        {
            if (!c.SharesTopic && !(c.Meaning >= closest - MeaningKeep))
                continue;
            double bonus = double.IsFinite(c.Meaning) ? MeaningWeight * Math.Max(0, c.Meaning - (closest - MeaningWindow)) / MeaningWindow : 0;
            kept.Add(c with { Score = c.Score + bonus });
        }
        return [.. kept.OrderByDescending(c => c.Score).ThenBy(c => c.Chunk.Index).ThenBy(c => c.Start)];
    }

    private readonly record struct UnitGroup(int Start, int End, int Section, int Block, UnitKind Kind, bool IsList, TextUnit? Previous, int First, int Last);

    private static HashSet<string> Union(IReadOnlyList<HashSet<string>> sets, int first, int last)
    {
        var union = new HashSet<string>(sets[first], StringComparer.Ordinal);
        for (int i = first + 1; i <= last; i++)
            union.UnionWith(sets[i]);
        return union;
    }

    // Short list items are grouped into one passage per list (a list of pros reads as one quote);
    // sentences, long list items and table rows stand alone.
    private static IEnumerable<UnitGroup> GroupUnits(IReadOnlyList<TextUnit> units, int from, int to, Func<TextUnit, bool> textEndsWithColon)
    {
        int i = from;
        while (i < to)
        {
            var u = units[i];
            if (u.Kind == UnitKind.Sentence && i + 1 < to && units[i + 1].Kind == UnitKind.ListItem && units[i + 1].Section == u.Section
                && textEndsWithColon(u))
            {
                // "X is an excellent choice for:" reads only with the list it introduces.
                int j = i + 1;
                while (j + 1 < to && units[j + 1].Kind == UnitKind.ListItem && units[j + 1].Block == units[i + 1].Block)
                    j++;
                yield return new UnitGroup(u.Start, units[j].End, u.Section, units[i + 1].Block, UnitKind.ListItem, true, null, i, j);
                i = j + 1;
                continue;
            }
            if (u.Kind == UnitKind.ListItem && u.End - u.Start < 90)
            {
                int j = i;
                while (j + 1 < to && units[j + 1].Kind == UnitKind.ListItem && units[j + 1].Block == u.Block && units[j + 1].End - units[j + 1].Start < 90)
                    j++;
                if (j > i)
                {
                    yield return new UnitGroup(u.Start, units[j].End, u.Section, u.Block, UnitKind.ListItem, true, null, i, j);
                    i = j + 1;
                    continue;
                }
            }
            if (u.Kind != UnitKind.TableHeader)
                yield return new UnitGroup(u.Start, u.End, u.Section, u.Block, u.Kind, false, i > from && units[i - 1].Block == u.Block ? units[i - 1] : null, i, i);
            i++;
        }
    }

    /// <summary>
    /// A verdict from the claims that match the situation: the entity, the claim that supports it and a reason or two,
    /// then the runner-up and the condition under which the articles point to it. Split evidence says which entity fits
    /// which condition.
    /// </summary>
    private static string? ComposeVerdict(QuestionAnalysis question, VerdictEvidence evidence, AnswerBuilder builder, TopicProfile topic)
    {
        var winner = evidence.Winner!;
        var subject = Subject(question, topic);
        // "Which has the smallest community?" is answered by the one rated lowest, which is not a recommendation for it.
        bool ratedLowest = question.WantsLeast && AboutItsAspects(question, topic);
        string Lowest(IEnumerable<string> entities, string markers)
            => $"On {Aspects(question)}, the articles rate {string.Join(" and ", entities.Select(e => $"**{topic.Name(e)}**"))} lowest {markers}.";
        if (evidence.Split.Count > 1)
        {
            var parts = evidence.Split.Select(e => (Entity: e, Claim: evidence.For(e)[0].Claim)).ToList();
            var shared = parts.Select(p => p.Claim).Distinct().Count() == 1;
            if (ratedLowest)
            {
                builder.Line(Lowest(parts.Select(p => p.Entity), string.Concat(parts.Select(p => builder.Cite(p.Claim)).Distinct())));
            }
            else if (shared)
            {
                builder.Line($"{subject}, the articles point to {string.Join(" or ", parts.Select(p => $"**{topic.Name(p.Entity)}**"))} {builder.Cite(parts[0].Claim)}.");
            }
            else
            {
                var each = parts.Select(p => $"**{topic.Name(p.Entity)}**{(FitCondition(p.Claim, topic) is { } fit ? " " + fit : "")} {builder.Cite(p.Claim)}");
                builder.Line($"{subject}, the articles are split: {string.Join("; ", each)}.");
            }
            builder.Points(parts.SelectMany(p => evidence.For(p.Entity).Skip(1).Take(1)).Select(c => c.Claim));
            return null;
        }

        // The claims behind the verdict; for a question about an aspect ("best for beginners?"), those beside the best one
        // must speak to it, not merely be the winner's next-closest praise ("The core … is based on MVC architecture").
        bool onAspect = AboutItsAspects(question, topic);
        // A claim shared with another entity ("X or Y would be more appropriate") is no point for the verdict alone.
        var support = evidence.For(winner).Select(c => c.Claim).DistinctBy(c => (c.DocumentId, c.Start))
            .Where((c, i) => i == 0 || ((!onAspect || SpeaksTo(c.Condition, question.Aspects)) && c.Entities.Count == 1)).Take(3).ToList();
        // "Is X a good fit for …?" answered with another entity says so.
        var rather = question.Asked.Count == 1 && question.Asked[0] != winner ? $" rather than {topic.Name(question.Asked[0])}" : "";
        // "Is X a good fit for …?", "Would X work for …?": yes or no first, then the verdict it rests on.
        var yesNo = question.Asked.Count == 1 && AsksForAVerdictOnOne(question.Text) ? (question.Asked[0] == winner ? "Yes. " : "No. ") : "";
        if (ratedLowest)
            builder.Line(Lowest([winner], builder.Cite(support[0])));
        else
            builder.Line($"{yesNo}{subject}, the articles point to **{topic.Name(winner)}**{rather} {builder.Cite(support[0])}.");
        // Why not the one asked about: the articles' warning against it that fits the situation, when it fits better than
        // its praise ("Is X too heavy for a tiny app?": "Can feel heavy for small projects").
        if (rather.Length > 0 && evidence.WarningAgainst(question.Asked[0]) is { } warning
            && warning.Score >= evidence.For(question.Asked[0]).FirstOrDefault()?.Score)
            builder.Points([warning.Claim, .. support.Skip(1)]);
        else
            builder.Points(support.Skip(1));
        var others = question.Entities.Count >= 2 ? question.Entities : topic.EntityIds.ToList();
        var runnerUp = others.Where(e => e != winner && evidence.For(e).Count > 0).OrderByDescending(e => evidence.For(e)[0].Score).FirstOrDefault();
        // The runner-up with the condition under which the articles point to it, when one of its claims reads as one and
        // the situation has a need it fits (the verdict model gives it some probability).
        // A question about a feature ("which is the fastest?") gets no runner-up pitch.
        bool alternative = evidence.Probabilities is { } p ? p.GetValueOrDefault(runnerUp ?? "") >= Understanding.VerdictModel.Alternative : !onAspect;
        if (runnerUp is not null && alternative && FitOf(evidence, runnerUp, topic) is { } condition)
            builder.Line($"Consider **{topic.Name(runnerUp)}** {condition.Fit} {builder.Cite(condition.Claim)}.");
        return winner;
    }

    /// <summary>The first of an entity's three best claims that reads as a condition under which it fits (<see cref="FitCondition"/>).</summary>
    private static (Claim Claim, string Fit)? FitOf(VerdictEvidence evidence, string entity, TopicProfile topic)
        => evidence.For(entity).Take(3).Select(c => (c.Claim, Fit: FitCondition(c.Claim, topic)))
            .Where(c => c.Fit is not null).Select(c => ((Claim, string)?)(c.Claim, c.Fit!)).FirstOrDefault();

    /// <summary>
    /// A title-case label as it reads inside a sentence: "Full Applications" reads "full applications", while "APIs" and
    /// "ORM / Database" keep their acronyms ("ORM / database").
    /// </summary>
    private static string InSentence(string label)
        => string.Join(' ', label.Split(' ').Select(w => w.Length > 1 && char.IsUpper(w[0]) && w.Skip(1).All(char.IsLower) ? w.ToLowerInvariant() : w));

    /// <summary>
    /// A claim as the condition under which its entity fits, or null when it does not read as one: an item of a "choose X
    /// if" list ("You need an admin dashboard.") becomes "if you need an admin dashboard", a use case ("E-commerce
    /// platforms") becomes "for e-commerce platforms". Ratings, pros, warnings and whole sentences are not conditions.
    /// </summary>
    private static string? FitCondition(Claim claim, TopicProfile topic)
    {
        if (claim.Kind != ClaimKind.Choice)
            return null;
        var text = Regex.Replace(claim.Condition, @"\s+", " ").Trim().TrimEnd('.', ';', ':', ',');
        // A labelled value ("Best For: Full Applications") is a condition by its value.
        if (text.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon && text[..colon].Split(' ').Length <= 3)
        {
            text = InSentence(text[(colon + 2)..].Trim());
        }
        if (text.Length == 0 || text.Length > 120 || topic.MentionedIn(text).Count > 0 || text.EndsWith(" for", StringComparison.OrdinalIgnoreCase))
            return null;
        if (YouClause().IsMatch(text))
            return "if " + char.ToLowerInvariant(text[0]) + text[1..];
        // A use case is a noun phrase: no pronoun or verb of its own at its start.
        return StartsLikeClause().IsMatch(text) ? null : "for " + Lower(text);
    }

    [GeneratedRegex(@"^(you|you're|you’re|you are|your)\b", RegexOptions.IgnoreCase)]
    private static partial Regex YouClause();

    [GeneratedRegex(@"^(it|its|it's|they|this|that|there|if|when|while|although|because|is|are|can|will|should|must|has|have|does|do)\b", RegexOptions.IgnoreCase)]
    private static partial Regex StartsLikeClause();

    /// <summary>
    /// "Why not Y instead?": the verdict on the same situation among the entities asked about and the earlier verdict, and
    /// for each one rejected what the articles say against it for the situation (its warning that fits best), or how
    /// they rate it, or what they suggest it for instead.
    /// </summary>
    private static string? ComposeWhyNot(QuestionAnalysis question, VerdictEvidence evidence, AnswerBuilder builder, TopicProfile topic)
    {
        var winner = evidence.Winner!;
        var subject = Subject(question, topic);
        var best = evidence.For(winner)[0].Claim;
        var rejected = question.Entities.Take(Math.Max(1, question.Entities.Count - 1)).Where(e => e != winner).ToList();
        if (rejected.Count == 0)
        {
            builder.Line($"{subject}, the articles point to **{topic.Name(winner)}** too {builder.Cite(best)}.");
            builder.Points(evidence.For(winner).Skip(1).Take(2).Select(c => c.Claim));
            return winner;
        }
        builder.Line($"{subject}, the articles still point to **{topic.Name(winner)}** rather than {topic.JoinNames(rejected)} {builder.Cite(best)}.");
        foreach (var other in rejected)
        {
            var name = topic.Name(other);
            var rejectedBest = evidence.For(other).FirstOrDefault()?.Claim;
            if (evidence.WarningAgainst(other) is { } warning)
                builder.Line($"Against {name} here, the articles say: {Lower(builder.Sentence(warning.Claim).TrimEnd('.'))} {builder.Cite(warning.Claim)}.");
            else if (rejectedBest is { Kind: ClaimKind.TableCell } cell && cell.Condition.IndexOf(':') is > 0 and var colon)
                builder.Line($"On {InSentence(cell.Condition[..colon])}, the articles rate {name} \"{cell.Condition[(colon + 1)..].Trim()}\" {builder.Cite(cell)}.");
            else if (FitOf(evidence, other, topic) is { } condition)
                builder.Line($"The articles suggest {name} {condition.Fit} instead {builder.Cite(condition.Claim)}.");
        }
        builder.Points(evidence.For(winner).Skip(1).Take(1).Select(c => c.Claim));
        return winner;
    }

    /// <summary>
    /// What the verdict is for: the use case the question names, else its aspects when they are what it is about ("for
    /// performance"), else "what you describe". A described situation whose words merely include cues of aspects ("a
    /// model that scores loan applications") is not about those aspects.
    /// </summary>
    private static string Subject(QuestionAnalysis question, TopicProfile topic)
    {
        if (question.UseCase is { } useCase)
            return $"For {Lower(useCase)}";
        return AboutItsAspects(question, topic) ? $"For {Aspects(question)}" : "For what you describe";
    }

    /// <summary>The labels of the question's first two aspects: "community and ecosystem", "performance and scalability".</summary>
    private static string Aspects(QuestionAnalysis question) => string.Join(" and ", question.Aspects.Take(2).Select(a => a.Label));

    /// <summary>True when the question asks about its aspects ("best for beginners?"), not a situation that cues them.</summary>
    private static bool AboutItsAspects(QuestionAnalysis question, TopicProfile topic)
    {
        if (question.Aspects.Count == 0)
            return false;
        var noun = TextAnalyzer.TermsOfWords([topic.EntityNoun]);
        int otherWords = TextAnalyzer.TermsOfWords(question.ContentWords).Distinct()
            .Count(t => !noun.Contains(t) && !question.Aspects.Any(a => a.Triggers.Contains(t)));
        return otherWords <= MaxWordsBesideAspects;
    }

    // "Which is best for async support?" leaves "best"; a situation told in a sentence leaves many more.
    private const int MaxWordsBesideAspects = 3;

    private static string? ComposeRecommendation(QuestionAnalysis question, List<Candidate> relevant, AnswerBuilder builder, TopicProfile topic, bool allowVerdict)
    {
        var pool = relevant.Take(12).ToList();
        bool generic = question.Aspects.Count == 0 && question.Entities.Count == 0;
        if (generic || !allowVerdict)
        {
            var picks = pool.OrderByDescending(c => NoSingleBest().IsMatch(builder.Quote(c))).Take(MaxPoints).ToList();
            var first = builder.Cite(picks[0]);
            builder.Line(generic
                ? $"The articles agree there is no single best {topic.EntityNoun}: the right one depends on your project {first}."
                : $"The articles don't single out one {topic.EntityNoun} for this; here is what they say {first}.");
            builder.Points(picks.Skip(1));
            return null;
        }
        // Without claims to go on: each entity's vote is its strongest passage plus a quarter of the others.
        var weights = new Dictionary<string, List<double>>();
        foreach (var c in pool.Where(c => c.Entities.Count == 1))
        {
            if (!weights.TryGetValue(c.Entities[0], out var list))
                weights[c.Entities[0]] = list = [];
            list.Add(c.Score * (c.Endorses ? 3 : 1));
        }
        var candidates = question.Entities.Count > 0 ? question.Entities : topic.EntityIds.ToList();
        var winner = candidates.Where(weights.ContainsKey).OrderByDescending(f => weights[f].Max() + 0.25 * (weights[f].Sum() - weights[f].Max())).FirstOrDefault();
        if (winner is null)
            return ComposeRecommendation(question, relevant, builder, topic, allowVerdict: false);
        var support = pool.Where(c => c.Entities.Contains(winner)).OrderByDescending(c => c.Endorses).ThenByDescending(c => c.Score).Take(3).ToList();
        builder.Line($"{Subject(question, topic)}, the articles point to **{topic.Name(winner)}** {string.Concat(support.Take(2).Select(builder.Cite))}.");
        builder.Points(support);
        return winner;
    }

    private static string? ComposeComparison(QuestionAnalysis question, List<Candidate> relevant, List<Candidate> all, AnswerBuilder builder, TopicProfile topic,
        VerdictEvidence? evidence)
    {
        var targets = question.Entities.Count >= 2 ? question.Entities : topic.EntityIds.ToList();
        var names = topic.JoinNames(targets);
        var on = question.Aspects.Count > 0 ? $" on {Aspects(question)}" : "";

        // A comparison table row on the aspect asked, with a value for every entity compared: one line per entity and
        // the row as a Markdown table. A row whose label names the aspect is looked for among every passage retrieved (a
        // row names no entity in its own cells, so it may score low); else the best row among the relevant passages.
        var row = question.Aspects.Count > 0 ? builder.RowFor(all, targets, question.Aspects) : default;
        bool rowOnAspect = row.Candidate is not null;
        if (row.Candidate is null && (question.Aspects.Count > 0 || question.ContentWords.Count > 0))
            row = builder.RowFor(relevant, targets);
        // A clear leader on the aspect, from the claims, opens the answer.
        string? leader = null;
        if (evidence?.Winner is { } w && evidence.Split.Count == 0 && question.Aspects.Count > 0 && targets.Contains(w))
            leader = w;
        // A leader on an aspect no table row rates ("for a blog") is not stated beside a row on another one ("Templating").
        if (row.Candidate is not null && (leader is null || rowOnAspect))
        {
            // The leader named beside a row is the one the row rates highest: the claims never outvote the row they sit beside.
            if (rowOnAspect)
                leader = RowLeader(row.Cells!, targets);
            var marker = builder.Cite(row.Candidate);
            var label = builder.RowLabel(row.Candidate);
            var lines = RowValues(row.Cells!, targets, topic);
            if (leader is not null)
                builder.Line($"On {InSentence(label)}, the articles favour **{topic.Name(leader)}** — {lines} {marker}.");
            else
                builder.Line($"{label} — {lines} {marker}.");
            var rows = new List<(string Label, string Marker, IReadOnlyList<string> Values)> { (label, marker, [.. targets.Select(t => row.Cells![t])]) };
            // Another article's table with a row on the same aspect says what this one leaves out ("None (API-centric)").
            if (rowOnAspect && builder.RowFor(all.Where(c => c.Chunk.DocumentId != row.Candidate.Chunk.DocumentId), targets, question.Aspects) is { Candidate: { } other } second)
                rows.Add((builder.RowLabel(other), builder.Cite(other), [.. targets.Select(t => second.Cells![t])]));
            builder.Table([.. targets.Select(topic.Name)], rows);
            builder.Points(PassagesOnAspect(relevant, row.Candidate, targets, question.Aspects, builder));
            return leader;
        }

        // Passages that weigh the entities against each other come first, then matching comparison-table rows,
        // then each entity's best passage of its own.
        var together = relevant.Where(c => c.Entities.Count >= 2 && targets.All(c.Entities.Contains)).Take(2).ToList();
        var table = relevant.Where(c => c.Entities.Count == 0 && builder.IsTableRow(c)).Take(2).ToList();
        var perEntity = new List<Candidate>();
        foreach (var f in targets)
        {
            if (relevant.FirstOrDefault(c => c.Entities.Count == 1 && c.Entities[0] == f) is { } best)
                perEntity.Add(best);
        }
        if (question.Aspects.Count == 0 && together.Count + table.Count >= 2)
            perEntity.Clear(); // an overall comparison is best told by the passages that weigh all of them
        var points = together.Concat(table).Concat(perEntity).Distinct().Take(MaxPoints + 1).ToList();
        if (points.Count == 0)
            points = relevant.Take(3).ToList();
        // The leader's claim is cited first, so its marker comes first too.
        var leaderClaim = leader is not null ? evidence!.For(leader).FirstOrDefault()?.Claim : null;
        var leaderMarker = leaderClaim is not null ? builder.Cite(leaderClaim) : null;
        var lead = points.Take(Math.Min(3, points.Count)).Select(builder.Cite).ToList();
        if (leaderMarker is not null)
            builder.Line($"On {Aspects(question)}, the articles favour **{topic.Name(leader!)}** {leaderMarker}; here is how they compare {names} {string.Concat(lead)}.");
        else
            builder.Line($"Here is how the articles compare {names}{on} {string.Concat(lead)}.");
        builder.Points(points);
        return leader;
    }

    // Items of each side of a pros-and-cons answer, per entity.
    private const int MaxListedPerSide = 4;

    /// <summary>
    /// Pros and cons from the items the articles list as an entity's advantages and disadvantages (<see cref="ClaimKind.Pro"/>
    /// and <see cref="ClaimKind.Con"/> claims), each side the question asks for under its own heading, closest to the
    /// question first. False when the articles list nothing on the sides asked for.
    /// </summary>
    private static bool ComposeListedProsCons(QuestionAnalysis question, EvidenceSet claims, ReadOnlyMemory<float> queryVector, AnswerBuilder builder,
        TopicProfile topic)
    {
        List<Claim> Side(string entity, ClaimKind kind)
        {
            var found = Enumerable.Range(0, claims.Claims.Count)
                .Where(i => claims.Claims[i].Kind == kind && claims.Claims[i].Entities.Count == 1 && claims.Claims[i].Entities[0] == entity)
                // "It is called …", "This makes …" lean on the sentence before them: no point of their own.
                .Where(i => !LeansBack().IsMatch(claims.Claims[i].Condition))
                .DistinctBy(i => (claims.Claims[i].DocumentId, claims.Claims[i].Start)).ToList();
            // Items under a heading that names the side ("Cons of X", "Advantages") first, then the closest to the question.
            // Claims are embedded by the first model alone: the first part of the question's vector is that model's (scaled).
            bool withVectors = queryVector.Length > 0 && claims.Vectors.Count == claims.Claims.Count;
            var side = kind == ClaimKind.Pro ? ProsHeading() : ConsHeading();
            var order = found.ToDictionary(i => i, i => (side.IsMatch(builder.Heading(claims.Claims[i]) ?? "") ? 1.0 : 0.0)
                + (withVectors ? System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(queryVector.Span[..claims.Vectors[i].Length], claims.Vectors[i].Span) : 0));
            found = [.. found.OrderByDescending(i => order[i]).ThenBy(i => i)];
            return [.. found.Take(MaxListedPerSide).Select(i => claims.Claims[i])];
        }
        var sides = question.Entities.Select(e => (Entity: e, Pros: question.WantsPros ? Side(e, ClaimKind.Pro) : [], Cons: question.WantsCons ? Side(e, ClaimKind.Con) : [])).ToList();
        if (sides.All(s => s.Pros.Count == 0 && s.Cons.Count == 0))
            return false;
        foreach (var (entity, pros, cons) in sides)
        {
            var name = topic.Name(entity);
            if (question.WantsPros)
            {
                builder.Line(pros.Count > 0 ? $"The articles name these advantages of {name} {string.Concat(pros.Take(2).Select(builder.Cite))}:" : $"The articles list no advantages of {name}.");
                builder.Points(pros);
            }
            if (question.WantsCons)
            {
                builder.Line(cons.Count > 0 ? $"{(question.WantsPros ? "And these" : "The articles name these")} disadvantages of {name} {string.Concat(cons.Take(2).Select(builder.Cite))}:" : $"The articles list no disadvantages of {name}.");
                builder.Points(cons);
            }
        }
        return true;
    }

    private static void ComposeProsCons(QuestionAnalysis question, List<Candidate> relevant, AnswerBuilder builder, TopicProfile topic)
    {
        var subject = question.Entities.Count == 1 ? topic.Name(question.Entities[0]) : question.Entities.Count > 1 ? topic.JoinNames(question.Entities) : $"these {topic.EntityNoun}s";
        var what = question.WantsPros && question.WantsCons ? "advantages and disadvantages" : question.WantsCons ? "disadvantages" : "advantages";
        // Several entities: each one's own passages, so every entity asked about gets its say.
        var picks = question.Entities.Count > 1
            ? question.Entities.SelectMany(e => relevant.Where(c => c.Entities.Count == 1 && c.Entities[0] == e).Take(2)).ToList()
            : relevant.Where(c => question.Entities.Count == 0 || c.Entities.Count == 0 || c.Entities.Any(question.Entities.Contains)).Take(MaxPoints).ToList();
        if (picks.Count == 0)
            picks = relevant.Take(MaxPoints).ToList();
        var markers = string.Concat(picks.Take(2).Select(builder.Cite));
        builder.Line($"The articles name these {what} of {subject} {markers}:");
        builder.Points(picks);
    }

    /// <summary>True when <paramref name="text"/> speaks to one of <paramref name="aspects"/>.</summary>
    private static bool SpeaksTo(string text, IReadOnlyList<Aspect> aspects)
    {
        var terms = TextAnalyzer.Terms(text.AsSpan());
        return aspects.Any(a => a.SpokenIn(terms));
    }

    /// <summary>A row's value for each entity: "X: Built-in; Y: None".</summary>
    private static string RowValues(Dictionary<string, string> cells, IReadOnlyList<string> entities, TopicProfile topic)
        => string.Join("; ", entities.Select(e => $"{topic.Name(e)}: {cells[e]}"));

    /// <summary>The one entity a comparison-table row rates above every other entity compared, or null (a tie, or no ratings).</summary>
    private static string? RowLeader(Dictionary<string, string> cells, IReadOnlyList<string> entities)
    {
        var levels = entities.Select(e => (Entity: e, Level: EvidenceExtractor.Level(cells[e]))).OrderByDescending(l => l.Level).ToList();
        return levels.Count >= 2 && levels[0].Level > levels[1].Level ? levels[0].Entity : null;
    }

    /// <summary>Up to two passages besides a table row that are about the entities and speak to the aspect.</summary>
    private static IEnumerable<Candidate> PassagesOnAspect(List<Candidate> relevant, Candidate row, IReadOnlyList<string> entities,
        IReadOnlyList<Aspect> aspects, AnswerBuilder builder)
        => relevant.Where(c => c != row && !builder.IsTableRow(c) && c.Entities.Any(entities.Contains) && SpeaksTo(builder.Quote(c), aspects)).Take(2);

    private static void ComposeFact(QuestionAnalysis question, List<Candidate> relevant, List<Candidate> all, AnswerBuilder builder, TopicProfile topic)
    {
        // "Does X have an admin panel?", "and the other two?": a comparison-table row on the aspect asked states it for each
        // entity asked about, so it answers first, with the passages about those entities that speak to the aspect after it.
        // The row is looked for among every passage retrieved: a row names no entity in its own cells, so it scores low.
        if (question.Entities.Count > 0 && question.Aspects.Count > 0)
        {
            var row = builder.RowFor(all, question.Entities, question.Aspects);
            if (row.Candidate is not null)
            {
                var marker = builder.Cite(row.Candidate);
                // "Does X have …?", "Can X …?" about one entity: the cell's rating answers yes or no before the row says how.
                var answer = question.Entities.Count == 1 && AsksYesOrNo(question.Text) ? YesOrNo(row.Cells![question.Entities[0]]) + ": " : "";
                builder.Line($"{answer}{builder.RowLabel(row.Candidate)} — {RowValues(row.Cells!, question.Entities, topic)} {marker}.");
                builder.Points(PassagesOnAspect(relevant, row.Candidate, question.Entities, question.Aspects, builder));
                return;
            }
        }
        var best = relevant[0];
        builder.Line($"{builder.Sentence(best)} {builder.Cite(best)}");
        // The sentence after the best one often states the fact ("… complex database-driven websites. It is used by …").
        var next = builder.NextSentence(best);
        var more = relevant.Skip(1).Where(c => c.Score >= relevant[0].Score * 0.6
            && (question.Entities.Count == 0 || c.Entities.Count == 0 || c.Entities.Any(question.Entities.Contains))).Take(2).ToList();
        if (next is not null && !more.Any(c => c.Start == next.Start))
            more.Insert(0, next);
        if (more.Count > 0)
            builder.Points(more.Take(2));
    }

    /// <summary>True when a question asks for yes or no about one entity's fit ("Is X good for …?", "Would X be overkill …?").</summary>
    private static bool AsksForAVerdictOnOne(string question) => VerdictQuestion().IsMatch(question);

    [GeneratedRegex(@"^\W*([\w.+]+(\s+[\w.+]+)?\s*(,|:|\s[-–—])\s*)?((and|so|but|ok|okay)\W+)?(is|are|would|will|could|can|should|does|do)\b", RegexOptions.IgnoreCase)]
    private static partial Regex VerdictQuestion();

    /// <summary>True when a question asks for yes or no about having or doing something ("Does X have …?", "and can it …?").</summary>
    private static bool AsksYesOrNo(string question) => YesNoQuestion().IsMatch(question);

    // Questions of having or doing ("does X have …", "can X …"): a rating answers them; "is X dead?" is no such question.
    [GeneratedRegex(@"^\W*([\w.+]+(\s+[\w.+]+)?\s*(,|:|\s[-–—])\s*)?((and|so|but|ok|okay)\W+)?(does|do|did|can|could|has|have)\b", RegexOptions.IgnoreCase)]
    private static partial Regex YesNoQuestion();

    /// <summary>
    /// A comparison-table cell as the answer to a yes-or-no question: "No" for none, "Not built in" for what takes an
    /// extension or is optional, "Yes" for any other rating.
    /// </summary>
    private static string YesOrNo(string cell)
        => EvidenceExtractor.Level(cell) > 0 ? "Yes" : NotBuiltIn().IsMatch(cell) ? "Not built in" : "No";

    [GeneratedRegex(@"^\s*(extensions?|optional|manual|via|through|plugin)|\b(integrates?|librar(y|ies)|extensions?|if needed|sqlalchemy|add-?ons?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NotBuiltIn();

    private static ComposedAnswer OutOfScope(QuestionAnalysis question, TopicProfile topic)
    {
        var text = new StringBuilder();
        text.Append(question.IsTask ? topic.Say(topic.Texts.Task)
            : question.Uncovered.Count > 0
            ? topic.Say(topic.Texts.OnlyUncovered).Replace("{topics}", JoinTopics(question.Uncovered), StringComparison.Ordinal)
            : topic.Say(topic.Texts.OutOfScope));
        text.Append(' ').Append(topic.Say(topic.Texts.Offer));
        foreach (var s in topic.StarterQuestions.Take(3))
            text.Append("\n\n- ").Append(s);
        return new ComposedAnswer(text.ToString(), false, [], topic.StarterQuestions);
    }

    private static ComposedAnswer NotCovered(QuestionAnalysis question, TopicProfile topic)
    {
        var about = question.Entities.Count > 0 ? $" about {topic.JoinNames(question.Entities)}" : "";
        var text = topic.Say(topic.Texts.NotCovered).Replace("{about}", about, StringComparison.Ordinal);
        return new ComposedAnswer(text, false, [], Suggestions.After(question, null, topic));
    }

    private static string Lower(string phrase) => phrase.Length > 1 && char.IsUpper(phrase[0]) && !char.IsUpper(phrase[1]) ? char.ToLowerInvariant(phrase[0]) + phrase[1..] : phrase;

    /// <summary>Accumulates the answer text and its citations, numbering citations in order of first use.</summary>
    private sealed class AnswerBuilder(IndexSnapshot index, TopicProfile topic)
    {
        private readonly StringBuilder _text = new();
        private readonly List<Citation> _citations = [];
        private readonly Dictionary<(string, int, int), int> _numbers = [];

        public string Text => _text.ToString().TrimEnd();

        public IReadOnlyList<Citation> Citations => _citations;

        public string Quote(Candidate c) => index.Article(c.Chunk.DocumentId).Article.Text[c.Start..c.End];

        public bool IsTableRow(Candidate c) => Quote(c).StartsWith('|');

        /// <summary>The passage as a sentence of the answer: list bullets folded into "a; b; c", table rows into "Cell: a, b, c".</summary>
        public string Sentence(Candidate c)
        {
            var quote = Quote(c);
            if (quote.StartsWith('|'))
                return TableRowSentence(c.Chunk.DocumentId, c.Start, quote);
            if (c.IsList)
            {
                var lines = quote.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
                var lead = lines[0].EndsWith(':') ? lines[0] : null;
                var items = lines.Skip(lead is null ? 0 : 1).Select(l => l.TrimStart('-', '*', '+', '•').Trim().TrimEnd('.'));
                return (lead is null ? "" : lead + " ") + string.Join("; ", items) + ".";
            }
            return Regex.Replace(quote, @"\s*\n\s*", " ");
        }

        private string TableRowSentence(string documentId, int start, string row)
        {
            var article = index.Article(documentId);
            var header = article.Units.LastOrDefault(u => u.Kind == UnitKind.TableHeader && u.Start < start);
            var cells = Cells(row);
            if (header == default)
                return string.Join(", ", cells);
            var names = Cells(article.Article.Text[header.Start..header.End]);
            var parts = cells.Skip(1).Select((cell, i) => i + 1 < names.Count ? $"{names[i + 1]}: {cell}" : cell);
            return $"{cells[0]} — {string.Join("; ", parts)}";
        }

        private static List<string> Cells(string row) => [.. row.Trim().Trim('|').Split('|').Select(s => s.Trim())];

        /// <summary>The [n] marker for a passage, adding the citation on first use.</summary>
        public string Cite(Candidate c) => Cite(c.Chunk.DocumentId, c.Start, c.End, c.Section);

        /// <summary>The [n] marker for a claim's passage.</summary>
        public string Cite(Claim claim)
            => Cite(claim.DocumentId, claim.Start, claim.End, index.Article(claim.DocumentId).Article.Sections[claim.Section].Heading);

        private string Cite(string documentId, int passageStart, int passageEnd, string? section)
        {
            var (start, end) = Trim(documentId, passageStart, passageEnd);
            var key = (documentId, start, end);
            if (!_numbers.TryGetValue(key, out int n))
            {
                var article = index.Article(documentId).Article;
                n = _citations.Count + 1;
                _numbers[key] = n;
                _citations.Add(new Citation(n, article.Id, article.Title, section, article.Text[start..end])
                {
                    Author = article.Author,
                    Publisher = article.Publisher,
                    Url = article.Url,
                    Start = start,
                    End = end,
                });
            }
            return $"[{n}]";
        }

        private (int Start, int End) Trim(string documentId, int start, int end)
        {
            // Very long passages are cut at a sentence or word boundary; the quote stays a verbatim span.
            if (end - start <= MaxQuoteLength)
                return (start, end);
            var text = index.Article(documentId).Article.Text;
            int limit = start + MaxQuoteLength;
            int cut = text.LastIndexOfAny(['.', ';', '\n'], limit - 1, MaxQuoteLength / 2);
            if (cut < 0)
                cut = text.LastIndexOf(' ', limit - 1, MaxQuoteLength / 2);
            return (start, cut > start ? cut + (text[cut] == '.' ? 1 : 0) : limit);
        }

        /// <summary>A claim as a point of the answer: its sentence, its table row, or its list item with the heading it sits under.</summary>
        public string Sentence(Claim claim)
        {
            var article = index.Article(claim.DocumentId);
            var quote = article.Article.Text[claim.Start..claim.End];
            if (quote.StartsWith('|'))
                return TableRowSentence(claim.DocumentId, claim.Start, quote);
            var heading = article.Article.Sections[claim.Section].Heading;
            var flat = Regex.Replace(quote, @"\s*\n\s*", " ").Trim();
            bool namesOwnEntity = topic.MentionedIn(flat).Any(claim.Entities.Contains);
            return !namesOwnEntity && heading is not null ? $"{heading.TrimEnd(':', '.')}: {flat}" : flat;
        }

        /// <summary>The heading of the section a claim sits in, or null.</summary>
        public string? Heading(Claim claim) => index.Article(claim.DocumentId).Article.Sections[claim.Section].Heading;

        /// <summary>Points for claims, one a line, each cited.</summary>
        public void Points(IEnumerable<Claim> claims) => Points(claims.Select(c => (Cite(c), Sentence(c))));

        /// <summary>
        /// Points, one a line, each with its marker; a sentence the answer already says is left out. The list ends with a
        /// blank line; no point, no line (the line before already ends with one).
        /// </summary>
        private void Points(IEnumerable<(string Marker, string Sentence)> points)
        {
            bool any = false;
            foreach (var (marker, sentence) in points)
            {
                if (_text.ToString().Contains(sentence, StringComparison.Ordinal))
                    continue;
                _text.Append("- ").Append(sentence).Append(' ').Append(marker).Append('\n');
                any = true;
            }
            if (any)
                _text.Append('\n');
        }

        /// <summary>For a table row: its cells by entity id (from the column names of its header), or null.</summary>
        public Dictionary<string, string>? RowCells(Candidate c)
        {
            var article = index.Article(c.Chunk.DocumentId);
            var header = article.Units.LastOrDefault(u => u.Kind == UnitKind.TableHeader && u.Start < c.Start);
            if (header == default)
                return null;
            var names = Cells(article.Article.Text[header.Start..header.End]);
            var cells = Cells(Quote(c));
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 1; i < cells.Count && i < names.Count; i++)
            {
                if (topic.MentionedIn(names[i]) is [var entity])
                    result[entity] = cells[i];
            }
            return result;
        }

        /// <summary>
        /// The first comparison-table row of <paramref name="pool"/> with a value for every one of <paramref name="entities"/>
        /// and, when <paramref name="onAspects"/> are given, a label that speaks to one of them; default when there is none.
        /// </summary>
        public (Candidate? Candidate, Dictionary<string, string>? Cells) RowFor(IEnumerable<Candidate> pool, IReadOnlyList<string> entities,
            IReadOnlyList<Aspect>? onAspects = null)
            => pool.Where(IsTableRow).Select(c => (Candidate: (Candidate?)c, Cells: RowCells(c)))
                .FirstOrDefault(r => r.Cells is not null && entities.All(r.Cells.ContainsKey)
                    && (onAspects is null || SpeaksTo(RowLabel(r.Candidate!), onAspects)));

        /// <summary>The first cell of a table row: what the row compares.</summary>
        public string RowLabel(Candidate c) => Cells(Quote(c))[0];

        /// <summary>A Markdown table of compared rows: a column per entity, a row per compared feature with its citation.</summary>
        public void Table(IReadOnlyList<string> names, IReadOnlyList<(string Label, string Marker, IReadOnlyList<string> Values)> rows)
        {
            _text.Append("| | ").Append(string.Join(" | ", names)).Append(" |\n");
            _text.Append("|---|").Append(string.Concat(names.Select(_ => "---|"))).Append('\n');
            foreach (var (label, marker, values) in rows)
                _text.Append("| ").Append(label).Append(' ').Append(marker).Append(" | ").Append(string.Join(" | ", values.Select(v => v.Replace("|", "/")))).Append(" |\n");
            _text.Append('\n');
        }

        /// <summary>The sentence after <paramref name="c"/> in the same paragraph, as a candidate, or null.</summary>
        public Candidate? NextSentence(Candidate c)
        {
            if (c.IsList)
                return null;
            var article = index.Article(c.Chunk.DocumentId);
            var units = article.Units;
            int i = 0;
            while (i < units.Count && units[i].Start < c.End)
                i++;
            if (i >= units.Count || units[i].Kind != UnitKind.Sentence || units[i].Block != c.Block)
                return null;
            var u = units[i];
            return c with { Start = u.Start, End = u.End, Score = c.Score * 0.9, IsList = false };
        }

        public void Line(string line) => _text.Append(line).Append("\n\n");

        /// <summary>Points for passages, one a line, each cited.</summary>
        public void Points(IEnumerable<Candidate> candidates) => Points(candidates.Select(c => (Cite(c), Sentence(c))));
    }
}
