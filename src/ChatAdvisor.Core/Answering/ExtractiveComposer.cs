using System.Text;
using System.Text.RegularExpressions;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Answering;

/// <summary>An answer as composed, before it is recorded in a conversation.</summary>
public sealed record ComposedAnswer(string Text, bool Grounded, IReadOnlyList<Citation> Citations, IReadOnlyList<string> Suggestions)
{
    /// <summary>The framework the answer recommends, if it recommends one.</summary>
    public Framework? Recommended { get; init; }
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

    // "Django is usually the best starting point", "choose FastAPI for speed", "(favoring Django)".
    [GeneratedRegex(@"\b(?<f>Django|Flask|FastAPI|Fast API)\s+(is|are|remains|offers|provides)\s+(usually\s+|often\s+|generally\s+|probably\s+)?(the\s+best|an?\s+excellent|a\s+strong|the\s+safest|the\s+most\s+productive|ideal|a\s+good|great|superior)|\b(choose|favou?ring|recommend(ing)?|use)\s+(?<f>Django|Flask|FastAPI|Fast API)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Endorsement();

    [GeneratedRegex(@"\b(19|20)\d\d\b")]
    private static partial Regex YearCue();

    /// <summary>A candidate passage: one unit, or a whole list, with its score.</summary>
    private sealed record Candidate(Chunk Chunk, int Start, int End, double Score, IReadOnlyList<Framework> Frameworks, string? Section, int Block, bool IsList)
    {
        /// <summary>True when the passage explicitly recommends its framework ("Django is usually the best starting point").</summary>
        public bool Endorses { get; init; }
    }

    /// <summary>Composes the answer to <paramref name="question"/> from <paramref name="hits"/>.</summary>
    public static ComposedAnswer Compose(QuestionAnalysis question, IReadOnlyList<SearchHit> hits, IndexSnapshot index)
    {
        if (question.Kind == QuestionKind.OutOfScope)
            return OutOfScope(question);

        var candidates = Score(question, hits, index);
        var relevant = candidates.Where(c => c.Score >= MinimumScore(question)).ToList();
        if (relevant.Count == 0)
            return NotCovered(question);

        var builder = new AnswerBuilder(index);
        Framework? recommended = null;
        switch (question.Kind)
        {
            case QuestionKind.Recommendation:
                recommended = ComposeRecommendation(question, relevant, builder);
                break;
            case QuestionKind.Comparison:
                recommended = ComposeComparison(question, relevant, builder);
                break;
            case QuestionKind.ProsCons:
                ComposeProsCons(question, relevant, builder);
                break;
            default:
                ComposeFact(relevant, builder);
                break;
        }
        return new ComposedAnswer(builder.Text, true, builder.Citations, Suggestions.After(question, recommended)) { Recommended = recommended };
    }

    private static double MinimumScore(QuestionAnalysis question) => question.Frameworks.Count > 0 && question.ContentWords.Count == 0 ? 1.0 : 2.0;

    private static List<Candidate> Score(QuestionAnalysis question, IReadOnlyList<SearchHit> hits, IndexSnapshot index)
    {
        var query = SearchQuery.For(question);
        var weights = query.Weights();
        var topicalTerms = weights.Keys.Where(t => Frameworks.FromTerm(t) is null).ToList();
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
            foreach (var group in GroupUnits(units, firstUnit, firstUnit + unitCount, u => article.Article.Text[u.End - 1] == ':'))
            {
                if (!seen.Add((chunk.DocumentId, group.Start)))
                    continue;
                var span = article.Article.Text.AsSpan(group.Start, group.End - group.Start);
                var heading = article.Article.Sections[group.Section].Heading;
                var terms = group.First == group.Last ? unitTerms.Units[group.First] : Union(unitTerms.Units, group.First, group.Last);
                var headingTerms = unitTerms.Headings[group.Section];
                var mentioned = Frameworks.All.Where(f => terms.Contains(Key(f))).ToList();
                var headingFrameworks = Frameworks.All.Where(f => headingTerms.Contains(Key(f))).ToList();
                // A heading names the section's framework only when it names exactly one; a sentence that opens
                // with "It" is about the framework its paragraph's previous sentence is about.
                var about = mentioned.Count > 0 ? mentioned : headingFrameworks.Count == 1 ? headingFrameworks : [];
                if (headingFrameworks.Count == 1 && (group.IsList || group.Kind == UnitKind.ListItem))
                    about = headingFrameworks; // "Smaller ecosystem compared to Django" under "Cons of FastAPI" is about FastAPI
                if (StartsWithPronoun().IsMatch(span) && group.Previous is { } previous)
                {
                    var subject = Frameworks.MentionedIn(article.Article.Text.AsSpan(previous.Start, previous.End - previous.Start));
                    if (subject.Count > 0)
                        about = [subject[0]];
                }
                var endorsed = Endorsement().Match(span.ToString()) is { Success: true } e ? Frameworks.FromTerm(e.Groups["f"].Value.ToLowerInvariant().Replace(" ", "")) : null;

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
                // Lists take their meaning from their heading ("Cons of Flask"); sentences must match on their own.
                bool isList = group.IsList || group.Kind == UnitKind.ListItem;

                // A passage that shares no topic word with the question is only worth its framework names when the
                // question has no topic words of its own ("Tell me about Flask").
                double topical = isList ? score : ownTopical;
                var targets = question.Frameworks;
                if (topical < topicalFloor)
                    continue;
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
                bool headingOnTarget = targets.Count == 0 || headingFrameworks.Any(targets.Contains);
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
                    if (targets.Count > 0 && !about.Any(targets.Contains))
                        score *= about.Count > 0 ? 0.3 : 0.5;
                }
                if (question.Kind == QuestionKind.Recommendation && RecommendationCue().IsMatch(span))
                    score += 1;
                if (question.Kind == QuestionKind.Comparison && targets.Count >= 2 && targets.All(about.Contains))
                    score += 2;
                if (question.Kind == QuestionKind.Recommendation && endorsed is { } endorsedFramework)
                {
                    score += 2;
                    about = [endorsedFramework];
                }
                if (question.Kind == QuestionKind.Recommendation && ChoiceHeading().IsMatch(headingText))
                    score += 1;
                if (question.WhyNot && targets.Count > 0 && about.Contains(targets[0]) && (WeaknessCue().IsMatch(span) || ConsHeading().IsMatch(headingText)))
                    score += 3;

                score += 0.5 / (1 + rank);
                int words = span.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                if (words < 4 && !group.IsList && group.Kind is not (UnitKind.TableRow or UnitKind.TableHeader))
                    score *= 0.5;

                candidates.Add(new Candidate(chunk, group.Start, group.End, score, about, heading, group.Block, group.IsList) { Endorses = endorsed is not null });
            }
        }
        return [.. candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Chunk.Index).ThenBy(c => c.Start)];
    }

    private static string Key(Framework f) => f.Name().ToLowerInvariant();

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
                // "FastAPI is an excellent choice for:" reads only with the list it introduces.
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

    private static Framework? ComposeRecommendation(QuestionAnalysis question, List<Candidate> relevant, AnswerBuilder builder)
    {
        var pool = relevant.Take(12).ToList();
        // Each framework's vote is its strongest passage plus a quarter of the others, so one explicit
        // recommendation ("Django is usually the best starting point") outweighs many passages that only describe.
        var weights = new Dictionary<Framework, List<double>>();
        foreach (var c in pool)
        {
            if (c.Frameworks.Count == 1 || (c.Frameworks.Count > 1 && RecommendationCue().IsMatch(builder.Quote(c))))
            {
                var f = c.Frameworks[0];
                if (!weights.TryGetValue(f, out var list))
                    weights[f] = list = [];
                list.Add(c.Score * (c.Endorses ? 3 : 1));
            }
        }
        var votes = weights.ToDictionary(p => p.Key, p => p.Value.Max() + 0.25 * (p.Value.Sum() - p.Value.Max()));
        var candidates = question.Frameworks.Count > 0 ? question.Frameworks : Frameworks.All;
        var ranked = candidates.Where(votes.ContainsKey).OrderByDescending(f => votes[f]).ToList();
        bool generic = question.Aspects.Count == 0 && question.Frameworks.Count == 0;
        if (ranked.Count == 0 || generic)
        {
            var picks = pool.OrderByDescending(c => NoSingleBest().IsMatch(builder.Quote(c))).Take(MaxPoints).ToList();
            var first = builder.Cite(picks[0]);
            builder.Line($"The articles agree there is no single best framework: the right one depends on your project {first}.");
            builder.Points(picks.Skip(1));
            return null;
        }

        var winner = ranked[0];
        var support = pool.Where(c => c.Frameworks.Contains(winner)).OrderByDescending(c => c.Endorses).ThenByDescending(c => c.Score).Take(3).ToList();
        var markers = string.Concat(support.Take(2).Select(builder.Cite));
        var subject = question.UseCase is { } useCase ? $"For {Lower(useCase)}, the articles"
            : question.Aspects.Count > 0 ? $"For {string.Join(" and ", question.Aspects.Take(2).Select(a => a.Label))}, the articles"
            : "For what you describe, the articles";
        builder.Line($"{subject} point to **{winner.Name()}** {markers}.");
        var table = pool.Where(c => c.Frameworks.Count == 0 && builder.IsTableRow(c)).Take(1);
        builder.Points(support.Concat(table));
        return winner;
    }

    private static Framework? ComposeComparison(QuestionAnalysis question, List<Candidate> relevant, AnswerBuilder builder)
    {
        var targets = question.Frameworks.Count >= 2 ? question.Frameworks : Frameworks.All;
        if (question.WhyNot && question.Frameworks.Count >= 2)
        {
            var rejected = question.Frameworks[0];
            var preferred = question.Frameworks[1];
            var against = relevant.Where(c => c.Frameworks.Contains(rejected)).Take(2).ToList();
            var forPreferred = relevant.Where(c => c.Frameworks.Contains(preferred) && !against.Contains(c)).Take(2).ToList();
            var all = against.Concat(forPreferred).ToList();
            if (all.Count == 0)
                all = relevant.Take(3).ToList();
            var markers = string.Concat(all.Take(2).Select(builder.Cite));
            var topic = question.UseCase is { } useCase ? $" for {Lower(useCase)}" : "";
            builder.Line($"The articles favour **{preferred.Name()}** over **{rejected.Name()}**{topic} {markers}.");
            builder.Points(all);
            return preferred;
        }

        // Passages that weigh the frameworks against each other come first, then matching comparison-table rows,
        // then each framework's best passage of its own.
        var together = relevant.Where(c => c.Frameworks.Count >= 2 && targets.All(c.Frameworks.Contains)).Take(2).ToList();
        var table = relevant.Where(c => c.Frameworks.Count == 0 && builder.IsTableRow(c)).Take(2).ToList();
        var perFramework = new List<Candidate>();
        foreach (var f in targets)
        {
            if (relevant.FirstOrDefault(c => c.Frameworks.Count == 1 && c.Frameworks[0] == f) is { } best)
                perFramework.Add(best);
        }
        if (question.Aspects.Count == 0 && together.Count + table.Count >= 2)
            perFramework.Clear(); // an overall comparison is best told by the passages that weigh all of them
        var points = together.Concat(table).Concat(perFramework).Distinct().Take(MaxPoints + 1).ToList();
        if (points.Count == 0)
            points = relevant.Take(3).ToList();
        var lead = points.Take(Math.Min(3, points.Count)).Select(builder.Cite).ToList();
        var names = string.Join(targets.Count == 2 ? " and " : ", ", targets.Select(f => f.Name()));
        var on = question.Aspects.Count > 0 ? $" on {string.Join(" and ", question.Aspects.Take(2).Select(a => a.Label))}" : "";
        builder.Line($"Here is how the articles compare {names}{on} {string.Concat(lead)}.");
        builder.Points(points);
        return null;
    }

    private static void ComposeProsCons(QuestionAnalysis question, List<Candidate> relevant, AnswerBuilder builder)
    {
        var subject = question.Frameworks.Count == 1 ? question.Frameworks[0].Name() : "these frameworks";
        var what = question.WantsPros && question.WantsCons ? "advantages and disadvantages" : question.WantsCons ? "disadvantages" : "advantages";
        var picks = relevant.Take(MaxPoints).ToList();
        var markers = string.Concat(picks.Take(2).Select(builder.Cite));
        builder.Line($"The articles name these {what} of {subject} {markers}:");
        builder.Points(picks);
    }

    private static void ComposeFact(List<Candidate> relevant, AnswerBuilder builder)
    {
        var best = relevant[0];
        builder.Line($"{builder.Sentence(best)} {builder.Cite(best)}");
        var more = relevant.Skip(1).Where(c => c.Score >= relevant[0].Score * 0.6).Take(2).ToList();
        if (more.Count > 0)
            builder.Points(more);
    }

    private static ComposedAnswer OutOfScope(QuestionAnalysis question)
    {
        var text = new StringBuilder();
        if (question.OtherTechnologies.Count > 0)
            text.Append($"The articles I answer from don't cover {string.Join(", ", question.OtherTechnologies.Select(Capitalise))}: they compare Django, Flask and FastAPI.");
        else
            text.Append("That isn't something the articles I answer from cover: they compare the Python web frameworks Django, Flask and FastAPI.");
        text.Append(" I can help you choose between those three, for example:");
        foreach (var s in Advisor.StarterQuestions.Take(3))
            text.Append("\n\n- ").Append(s);
        return new ComposedAnswer(text.ToString(), false, [], Advisor.StarterQuestions);
    }

    private static ComposedAnswer NotCovered(QuestionAnalysis question)
    {
        var about = question.Frameworks.Count > 0 ? $" about {string.Join(" and ", question.Frameworks.Select(f => f.Name()))}" : "";
        var text = $"The articles don't say anything specific{about} on that, so I can't answer it from them. They do cover how Django, Flask and FastAPI compare on performance, learning curve, built-in features, APIs and typical use cases.";
        return new ComposedAnswer(text, false, [], Suggestions.After(question, null));
    }

    private static string Lower(string phrase) => phrase.Length > 1 && char.IsUpper(phrase[0]) && !char.IsUpper(phrase[1]) ? char.ToLowerInvariant(phrase[0]) + phrase[1..] : phrase;

    private static string Capitalise(string word) => word switch
    {
        "rails" or "ruby on rails" => "Ruby on Rails",
        "php" => "PHP",
        "aspnet" or "asp net" => "ASP.NET",
        "nodejs" or "node" or "node js" => "Node.js",
        "nextjs" or "next js" => "Next.js",
        "nestjs" => "NestJS",
        _ => char.ToUpperInvariant(word[0]) + word[1..],
    };

    /// <summary>Accumulates the answer text and its citations, numbering citations in order of first use.</summary>
    private sealed class AnswerBuilder(IndexSnapshot index)
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
                return TableRowSentence(c, quote);
            if (c.IsList)
            {
                var lines = quote.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
                var lead = lines[0].EndsWith(':') ? lines[0] : null;
                var items = lines.Skip(lead is null ? 0 : 1).Select(l => l.TrimStart('-', '*', '+', '•').Trim().TrimEnd('.'));
                return (lead is null ? "" : lead + " ") + string.Join("; ", items) + ".";
            }
            return Regex.Replace(quote, @"\s*\n\s*", " ");
        }

        private string TableRowSentence(Candidate c, string row)
        {
            var article = index.Article(c.Chunk.DocumentId);
            var header = article.Units.LastOrDefault(u => u.Kind == UnitKind.TableHeader && u.Start < c.Start);
            var cells = Cells(row);
            if (header == default)
                return string.Join(", ", cells);
            var names = Cells(article.Article.Text[header.Start..header.End]);
            var parts = cells.Skip(1).Select((cell, i) => i + 1 < names.Count ? $"{names[i + 1]}: {cell}" : cell);
            return $"{cells[0]} — {string.Join("; ", parts)}";
        }

        private static List<string> Cells(string row) => [.. row.Trim().Trim('|').Split('|').Select(s => s.Trim())];

        /// <summary>The [n] marker for a passage, adding the citation on first use.</summary>
        public string Cite(Candidate c)
        {
            var (start, end) = Trim(c);
            var key = (c.Chunk.DocumentId, start, end);
            if (!_numbers.TryGetValue(key, out int n))
            {
                var article = index.Article(c.Chunk.DocumentId).Article;
                n = _citations.Count + 1;
                _numbers[key] = n;
                _citations.Add(new Citation(n, article.Id, article.Title, c.Section, article.Text[start..end])
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

        private (int Start, int End) Trim(Candidate c)
        {
            // Very long passages are cut at a sentence or word boundary; the quote stays a verbatim span.
            if (c.End - c.Start <= MaxQuoteLength)
                return (c.Start, c.End);
            var text = index.Article(c.Chunk.DocumentId).Article.Text;
            int end = c.Start + MaxQuoteLength;
            int cut = text.LastIndexOfAny(['.', ';', '\n'], end - 1, MaxQuoteLength / 2);
            if (cut < 0)
                cut = text.LastIndexOf(' ', end - 1, MaxQuoteLength / 2);
            return (c.Start, cut > c.Start ? cut + (text[cut] == '.' ? 1 : 0) : end);
        }

        public void Line(string line) => _text.Append(line).Append("\n\n");

        public void Points(IEnumerable<Candidate> candidates)
        {
            foreach (var c in candidates)
            {
                var marker = Cite(c);
                if (_text.ToString().Contains(Sentence(c), StringComparison.Ordinal))
                    continue;
                _text.Append("- ").Append(Sentence(c)).Append(' ').Append(marker).Append('\n');
            }
            _text.Append('\n');
        }
    }
}
