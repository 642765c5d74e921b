using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Answering;

/// <summary>What a claim says of its entities.</summary>
public enum ClaimKind
{
    /// <summary>An item of a "When to choose X" or "Choose X if" list, a use-case line "X: …", a "Best for" table cell.</summary>
    Choice,
    /// <summary>A sentence (or clause) that recommends an entity: "X is the best option for big projects".</summary>
    Endorsement,
    /// <summary>A cell of a comparison table (entity × aspect): "Admin Panel: Built-in".</summary>
    TableCell,
    /// <summary>An item of a list of advantages, or of what an entity provides.</summary>
    Pro,
    /// <summary>An item of a list of disadvantages, or a clause that warns against an entity.</summary>
    Con,
}

/// <summary>
/// One statement of an article about which entity fits which condition, taken from the article's structure.
/// <see cref="Start"/>..<see cref="End"/> is the verbatim passage to cite; <see cref="Condition"/> is what the
/// situation is matched against.
/// </summary>
public sealed record Claim(IReadOnlyList<string> Entities, string DocumentId, int Start, int End, int Section, string Condition, ClaimKind Kind)
{
    /// <summary>For a table cell: +1 for a cell that rates the entity high ("Excellent", "Built-in"), −1 for low ("None"), else 0.</summary>
    public int Grade { get; init; }

    /// <summary>For a table cell: what its row compares ("Admin Panel"); null for other claims.</summary>
    public string? Row { get; init; }
}

/// <summary>The claims of a corpus with their vectors.</summary>
public sealed class EvidenceSet
{
    internal EvidenceSet(IReadOnlyList<Claim> claims, IReadOnlyList<ReadOnlyMemory<float>> vectors)
    {
        Claims = claims;
        Vectors = vectors;
        TermLists = [.. claims.Select(c => TextAnalyzer.Terms(c.Condition.AsSpan()))];
        Terms = [.. TermLists.Select(t => t.ToHashSet(StringComparer.Ordinal))];
        RowTerms = [.. claims.Select(c => c.Row is null ? [] : TextAnalyzer.Terms(c.Row.AsSpan()))];
    }

    /// <summary>The claims, in article order.</summary>
    public IReadOnlyList<Claim> Claims { get; }

    /// <summary>The embedding of each claim's condition (empty without an embedding model).</summary>
    public IReadOnlyList<ReadOnlyMemory<float>> Vectors { get; }

    /// <summary>The search terms of each claim's condition.</summary>
    public IReadOnlyList<HashSet<string>> Terms { get; }

    /// <summary>The search terms of each claim's condition, in order.</summary>
    public IReadOnlyList<List<string>> TermLists { get; }

    /// <summary>The search terms of each table cell's row label, in order (empty for other claims).</summary>
    public IReadOnlyList<List<string>> RowTerms { get; }

}

/// <summary>
/// Finds the claims of a corpus (<see cref="Claim"/>) from its structure: lists under a heading or an introducing
/// sentence that names one entity, lines that open with an entity's name, comparison tables whose columns are
/// entities, and sentences that recommend an entity. Cached per index snapshot.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public static partial class EvidenceExtractor
{
    private static readonly ConditionalWeakTable<IndexSnapshot, Task<EvidenceSet>> Cache = [];

    [GeneratedRegex(@"\b(when to choose|choose \w+ if|use cases?|best for|good option|strong choice|excellent choice|great choice|ideal for|good for|suited for|choose)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ChoiceCue();

    [GeneratedRegex(@"\b(pros?|advantages?|strengths?|benefits?|provides?|comes? with|out of the box)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ProsCue();

    [GeneratedRegex(@"\b(cons?|disadvantages?|drawbacks?|weakness(es)?|limitations?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ConsCue();

    [GeneratedRegex(@"\b(choose|choice|ideal|best|excellent|strong|recommend\w*|suited|favou?ring|great for|great|perfect|safest|go-to|superior|appropriate|productive|shines|excels|outperform\w*|stands out|faster|fastest)\b", RegexOptions.IgnoreCase)]
    private static partial Regex EndorsementCue();

    [GeneratedRegex(@"\b(not recommended|waste|less suited|restrictive|can feel|too crowded|time-consuming|prone to|lacks?|burden)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WarningCue();

    [GeneratedRegex(@"\b(excellent|extensive|built-in|full|automatic|very large|most)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TopCell();

    // "Growing Rapidly" says how a thing changes, not how large it is: it rates below "Large".
    [GeneratedRegex(@"\b(very good|high|easy|mature|large)\b", RegexOptions.IgnoreCase)]
    private static partial Regex HighCell();

    [GeneratedRegex(@"^\s*(none|no|minimal|limited|manual|extensions required|optional)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LowCell();

    [GeneratedRegex(@"\b(does not|doesn't|do not|cannot|can't|not|difficult|complex|requires?|heavy|slow)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NegativeTrait();

    // Clause boundaries inside a sentence that names several entities: commas and semicolons, and "X) or".
    [GeneratedRegex(@"[,;]\s+|(?<=\))\s+or\s+|\s+(whereas|while)\s+")]
    private static partial Regex ClauseBreak();

    /// <summary>The claims of <paramref name="index"/> with their vectors, computed once per snapshot.</summary>
    public static Task<EvidenceSet> GetAsync(IndexSnapshot index, TopicProfile topic, HybridRetriever? embedder, CancellationToken cancellationToken = default)
        => Cache.GetValue(index, i => BuildAsync(i, topic, embedder, CancellationToken.None)).WaitAsync(cancellationToken);

    private static async Task<EvidenceSet> BuildAsync(IndexSnapshot index, TopicProfile topic, HybridRetriever? embedder, CancellationToken cancellationToken)
    {
        var claims = Extract(index, topic);
        // "You're building a small project." is matched on what it names ("a small project"): the framing every item of a
        // "Choose X if" list shares would otherwise draw every situation told as "I'm building …".
        // Claims are matched by the first embedding model alone: the weights of a claim's score below are set against its
        // similarities, and a second model blended in moves verdicts more than it finds (measured in docs/answering.md).
        var vectors = embedder is null || index.Vectors is null ? []
            : await embedder.EmbedPassagesAsync([.. claims.Select(c => Content(c.Condition))], firstModelOnly: true, cancellationToken);
        return new EvidenceSet(claims, vectors);
    }

    /// <summary>
    /// What a claim's condition names, without the "You're building" / "You want" framing of its list. A verb that is the
    /// condition stays: "You're learning backend development" is about learning, and without the verb it would be
    /// "backend development", which every question about a backend resembles.
    /// </summary>
    internal static string Content(string condition)
    {
        var stripped = YouFraming().Replace(condition, "");
        return stripped.Length > 3 ? stripped : condition;
    }

    [GeneratedRegex(@"^\s*(you're|you’re|you are)\s+(building|creating|focused on)?\s*|^\s*you\s+(want|need|prefer|expect|value)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex YouFraming();

    /// <summary>The claims of every article of <paramref name="index"/>.</summary>
    public static List<Claim> Extract(IndexSnapshot index, TopicProfile topic)
    {
        var claims = new List<Claim>();
        foreach (var chunked in index.Articles)
        {
            var article = chunked.Article;
            var text = article.Text;
            var units = chunked.Units;
            string Of(TextUnit u) => text[u.Start..u.End];
            IReadOnlyList<string>? header = null;
            for (int i = 0; i < units.Count; i++)
            {
                var u = units[i];
                // Text before the first heading belongs to the article's title ("# Waitress" over a list of its traits).
                var heading = article.Sections[u.Section].Heading ?? article.Title;
                var headingEntities = topic.MentionedIn(heading);
                switch (u.Kind)
                {
                    case UnitKind.TableHeader:
                        header = Cells(Of(u));
                        break;
                    case UnitKind.TableRow when header is not null:
                        AddTableRow(claims, topic, article.Id, u, Cells(Of(u)), header);
                        break;
                    case UnitKind.ListItem:
                        AddListItem(claims, topic, article.Id, units, i, Of, heading, headingEntities);
                        break;
                    case UnitKind.Sentence:
                        AddSentence(claims, topic, article.Id, u, Of(u), i > 0 && units[i - 1].Block == u.Block ? Of(units[i - 1]) : null);
                        break;
                }
            }
        }
        return claims;
    }

    private static void AddTableRow(List<Claim> claims, TopicProfile topic, string documentId, TextUnit u, List<string> cells, IReadOnlyList<string> header)
    {
        if (cells.Count < 2)
            return;
        var label = cells[0];
        bool choice = ChoiceCue().IsMatch(label);
        var columns = new List<(string Entity, string Cell, int Level)>();
        for (int c = 1; c < cells.Count && c < header.Count; c++)
        {
            if (topic.MentionedIn(header[c]) is [var entity])
                columns.Add((entity, cells[c], Level(cells[c])));
        }
        // A cell is graded against the others of its row: the highest rated entity +1, the lowest −1.
        int max = columns.Count == 0 ? 0 : columns.Max(c => c.Level), min = columns.Count == 0 ? 0 : columns.Min(c => c.Level);
        foreach (var (entity, cell, level) in columns)
        {
            int grade = max == min ? 0 : level == max ? 1 : level == min ? -1 : 0;
            claims.Add(new Claim([entity], documentId, u.Start, u.End, u.Section, $"{label}: {cell}", choice ? ClaimKind.Choice : ClaimKind.TableCell) { Grade = grade, Row = label });
        }
    }

    /// <summary>
    /// How highly a comparison-table cell rates its entity, on a rough ordinal scale of common English ratings: 0 for
    /// none, limited or left to extensions, 3 for excellent or built in.
    /// </summary>
    internal static int Level(string cell)
    {
        if (LowCell().IsMatch(cell))
            return 0;
        if (TopCell().IsMatch(cell))
            return 3;
        if (HighCell().IsMatch(cell))
            return 2;
        return 1;
    }

    private static void AddListItem(List<Claim> claims, TopicProfile topic, string documentId, IReadOnlyList<TextUnit> units, int i,
        Func<TextUnit, string> of, string heading, IReadOnlyList<string> headingEntities)
    {
        var u = units[i];
        var item = of(u);
        // "X: content-heavy platforms, enterprise apps, e-commerce" — a use-case line.
        int colon = item.IndexOf(':');
        if (colon > 0 && colon < 40 && topic.MentionedIn(item.AsSpan(0, colon)) is [var named])
        {
            claims.Add(new Claim([named], documentId, u.Start, u.End, u.Section, item[(colon + 1)..].Trim(), ClaimKind.Choice));
            return;
        }
        // The sentence that introduces the list ("X is a strong choice when you're building:").
        int first = i;
        while (first > 0 && units[first - 1].Kind == UnitKind.ListItem && units[first - 1].Block == u.Block)
            first--;
        string intro = first > 0 && units[first - 1].Section == u.Section && units[first - 1].Kind == UnitKind.Sentence ? of(units[first - 1]) : "";
        var introEntities = intro.TrimEnd().EndsWith(':') ? topic.MentionedIn(intro) : [];
        var owner = headingEntities.Count == 1 ? headingEntities[0] : introEntities.Count == 1 ? introEntities[0] : null;
        var itemEntities = topic.MentionedIn(item);
        if (owner is null)
        {
            if (itemEntities.Count == 1)
                AddSentence(claims, topic, documentId, u, item);
            return;
        }
        var cue = heading + " " + intro;
        var kind = ConsCue().IsMatch(cue) ? ClaimKind.Con
            : ChoiceCue().IsMatch(cue) ? ClaimKind.Choice
            : ProsCue().IsMatch(cue) ? ClaimKind.Pro
            : (ClaimKind?)null;
        // A plain list of traits under a heading that names one entity ("# Waitress": "It supports Windows directly.").
        kind ??= introEntities.Count == 0 && heading.Length > 0 ? (NegativeTrait().IsMatch(item) ? ClaimKind.Con : ClaimKind.Pro) : null;
        if (kind is { } k)
            claims.Add(new Claim([owner], documentId, u.Start, u.End, u.Section, item, k));
    }

    private static void AddSentence(List<Claim> claims, TopicProfile topic, string documentId, TextUnit u, string sentence, string? previousSentence = null)
    {
        // "X is a strong choice when you're building:" says nothing until its list does: the items are the claims.
        if (sentence.TrimEnd().EndsWith(':'))
            return;
        var entities = topic.MentionedIn(sentence);
        // "It outperforms X and Y": the pronoun's entity is the previous sentence's subject.
        string? pronounSubject = StartsWithPronoun().IsMatch(sentence) && previousSentence is not null ? Subjects(topic, previousSentence).FirstOrDefault() : null;
        if (entities.Count == 0 && pronounSubject is null)
            return;
        bool endorses = EndorsementCue().IsMatch(sentence);
        bool warns = WarningCue().IsMatch(sentence);
        if (!endorses && !warns)
            return;
        // Each clause speaks for the entities that are its subject; a clause without one belongs to its neighbour
        // ("For a lightweight proxy service, X or Y would be more appropriate"; "… a strong choice for small, focused
        // services that don't fit Z's mould" stays with the first clause's subject).
        var pending = "";
        Claim? last = null;
        foreach (var clause in ClauseBreak().Split(sentence).Where(c => c.Length > 0 && c is not ("whereas" or "while")))
        {
            var subjects = Subjects(topic, clause);
            if (subjects.Count == 0 && last is null && pronounSubject is not null && (StartsWithPronoun().IsMatch(clause) || clause.StartsWith("In ", StringComparison.Ordinal)))
                subjects = StartsWithPronoun().IsMatch(clause) ? [pronounSubject] : [];
            if (subjects.Count == 0)
            {
                if (last is not null)
                {
                    claims[^1] = last = last with { Condition = last.Condition + ", " + clause };
                }
                else
                {
                    pending += clause + " ";
                }
                continue;
            }
            bool clauseWarns = WarningCue().IsMatch(clause) && !EndorsementCue().IsMatch(clause);
            last = new Claim(subjects, documentId, u.Start, u.End, u.Section, pending + clause, clauseWarns ? ClaimKind.Con : ClaimKind.Endorsement);
            claims.Add(last);
            pending = "";
        }
        if (last is null && pronounSubject is not null)
            claims.Add(new Claim([pronounSubject], documentId, u.Start, u.End, u.Section, sentence, warns && !endorses ? ClaimKind.Con : ClaimKind.Endorsement));
    }

    /// <summary>
    /// The entities a clause is about: the first one it names, with any joined to it by "or"/"and" ("X or Y would …"),
    /// or the one it favours ("(favoring X)"). An entity named after a contrast ("than X", "outperforms X", "don't fit
    /// X's mould") is an object, not a subject.
    /// </summary>
    private static List<string> Subjects(TopicProfile topic, string clause)
    {
        var words = TextAnalyzer.Words(clause.AsSpan());
        var favoured = Favouring().Match(clause);
        if (favoured.Success && topic.MentionedIn(favoured.Groups[1].Value) is [var f])
            return [f];
        var result = new List<string>();
        for (int i = 0; i < words.Count; i++)
        {
            // The longest name that starts here ("my sql" as well as "mysql").
            string? id = null;
            int length = 0;
            for (int n = Math.Min(3, words.Count - i); n >= 1 && id is null; n--)
            {
                // The name must start here: without its first word the window names nothing.
                if (topic.EntitiesInWords(words.GetRange(i, n)) is [var found] && (n == 1 || (topic.EntitiesInWords(words.GetRange(i, n - 1)).Count == 0
                    && topic.EntitiesInWords(words.GetRange(i + 1, n - 1)).Count == 0)))
                    (id, length) = (found, n);
            }
            if (id is null)
                continue;
            bool contrasted = words.Skip(Math.Max(0, i - 3)).Take(Math.Min(3, i)).Any(w => ContrastWords.Contains(w));
            if (result.Count == 0)
            {
                if (contrasted)
                    return [];
                result.Add(id);
            }
            else if (i >= 2 && words[i - 1] is "or" or "and" && !result.Contains(id))
            {
                result.Add(id);
            }
            else
            {
                break;
            }
            i += length - 1;
        }
        return result;
    }

    /// <summary>The entities that are the subject of some clause of <paramref name="sentence"/> (see <see cref="Claim"/>).</summary>
    public static IReadOnlySet<string> ClauseSubjects(TopicProfile topic, string sentence)
        => ClauseBreak().Split(sentence).Where(c => c.Length > 0).SelectMany(c => Subjects(topic, c)).ToHashSet(StringComparer.Ordinal);

    private static readonly HashSet<string> ContrastWords = new(StringComparer.Ordinal)
    {
        "than", "unlike", "outperforms", "outperforming", "outperform", "over", "compared", "fit", "versus", "vs", "beyond",
        "of", "to", "from", "like",
    };

    [GeneratedRegex(@"\(favou?ring\s+([^)]+)\)", RegexOptions.IgnoreCase)]
    private static partial Regex Favouring();

    // "It outperforms …" refers back; "It is important to note …" refers to nothing.
    [GeneratedRegex(@"^\s*(it|its|it's|it’s)\b(?!\s*(is\s+|'s\s+|’s\s+)?(important|worth|possible|recommended|common|true|clear|likely|unlikely|necessary|essential|often said)\b)(?<!it's|it’s)", RegexOptions.IgnoreCase)]
    private static partial Regex StartsWithPronoun();

    private static List<string> Cells(string row) => [.. row.Trim().Trim('|').Split('|').Select(s => s.Trim())];
}

/// <summary>A claim matched to a question, with its score.</summary>
public sealed record ScoredClaim(Claim Claim, double Score)
{
    /// <summary>Whether the claim (or, for a table cell, its row) speaks to one of the aspects the question asks about.</summary>
    public bool OnAspect { get; init; }
}

/// <summary>Which entity the evidence points to for a situation, and how clearly.</summary>
/// <param name="Winner">The entity the best evidence names, or null when nothing matched.</param>
/// <param name="Split">The entities that share the verdict when the evidence is split (empty when it is not).</param>
/// <param name="Best">The best matching claims per entity, best first.</param>
public sealed record VerdictEvidence(string? Winner, IReadOnlyList<string> Split, IReadOnlyDictionary<string, List<ScoredClaim>> Best)
{
    /// <summary>Each entity's standing: its best claim's score less a share of a warning that fits the situation better (−∞ without claims).</summary>
    public IReadOnlyDictionary<string, double> Standings { get; init; } = new Dictionary<string, double>();

    /// <summary>The best claims in favour of <paramref name="entity"/>.</summary>
    public IReadOnlyList<ScoredClaim> For(string entity) => Best.TryGetValue(entity, out var list) ? list : [];

    /// <summary>How probable the verdict model found <see cref="Winner"/> (null when the claims alone decided).</summary>
    public double? Probability => Winner is null ? null : Probabilities?.GetValueOrDefault(Winner);

    /// <summary>How probable the verdict model found each candidate entity for the situation (null when the claims alone decided).</summary>
    public IReadOnlyDictionary<string, double>? Probabilities { get; init; }

    /// <summary>Each entity's warning (a <see cref="ClaimKind.Con"/> claim) that fits the situation best, if any.</summary>
    public IReadOnlyDictionary<string, ScoredClaim> Warnings { get; init; } = new Dictionary<string, ScoredClaim>();

    /// <summary>The warning against <paramref name="entity"/> that fits the situation best, or null.</summary>
    public ScoredClaim? WarningAgainst(string entity) => Warnings.GetValueOrDefault(entity);
}

/// <summary>
/// Matches a situation to the claims of the articles by meaning (the embedding) and by shared words, and names the
/// entity the best claims support. Stateless and thread-safe.
/// </summary>
public static class VerdictFinder
{
    // A score is cosine similarity (arctic-xs: about 0.2 unrelated, 0.5+ close) plus a bonus for shared topic words.
    private const double WordBonus = 0.15;
    private const double AspectBonus = 0.03;
    // How much a comparison-table cell's grade ("Excellent" over "Good") adds: more when the question is only about the aspect.
    private const double GradeWeight = 0.05;
    private const double AspectOnlyGradeWeight = 0.10;
    // Entities whose best claims score within this margin of each other share the verdict.
    private const double SplitMargin = 0.012;
    // A claim that speaks to an aspect asked about wins against one this close ahead that does not.
    private const double AspectMargin = 0.02;

    /// <summary>
    /// The verdict among <paramref name="candidates"/> for the situation whose vector is <paramref name="situation"/>
    /// (may be empty: words only) and whose topic terms are <paramref name="terms"/>.
    /// </summary>
    /// <remarks>
    /// With <paramref name="least"/> the question asks which entity has the least of something ("the smallest community"):
    /// what the articles say against an entity supports it, a table row's lowest rating ranks first, and praise does not count.
    /// With <paramref name="onAspects"/> the question compares the entities on its aspects ("do any of them come with an
    /// admin?"): only claims that speak to one of them count, whatever else they resemble.
    /// </remarks>
    public static VerdictEvidence Find(EvidenceSet evidence, IReadOnlyList<string> candidates, ReadOnlyMemory<float> situation,
        IReadOnlyCollection<string> terms, IReadOnlyList<Topics.Aspect> aspects, IndexSnapshot index, bool least = false, bool onAspects = false)
    {
        // A question that is only about aspects ("which of those is faster?") is answered by how the articles rate the
        // entities on them: a graded comparison-table row on the aspect outweighs a sentence that merely shares a word.
        bool aspectOnly = IsAspectOnly(terms, aspects);
        double gradeWeight = aspectOnly ? AspectOnlyGradeWeight : GradeWeight;
        var best = candidates.ToDictionary(c => c, _ => new List<ScoredClaim>(), StringComparer.Ordinal);
        var warnings = new Dictionary<string, ScoredClaim>(StringComparer.Ordinal);
        var wanted = terms.ToHashSet(StringComparer.Ordinal);
        double wantedWeight = wanted.Sum(t => index.Lexical.Idf(t));
        ScoredClaim? top = null;
        for (int i = 0; i < evidence.Claims.Count; i++)
        {
            var claim = evidence.Claims[i];
            if (!claim.Entities.Any(best.ContainsKey))
                continue;
            bool rowOnAspect = aspects.Any(a => a.SpokenIn(evidence.RowTerms[i]));
            int conditionAspects = aspects.Count(a => a.SpokenIn(evidence.TermLists[i]));
            bool onAspect = rowOnAspect || conditionAspects > 0;
            // A table cell rates an entity on one feature ("Learning Curve: Easy"): evidence only for a question about
            // that feature, never for a situation that merely resembles the row in wording.
            if (claim.Kind == ClaimKind.TableCell && !rowOnAspect)
                continue;
            if (onAspects && aspects.Count > 0 && !onAspect)
                continue;
            double score = 0;
            if (situation.Length > 0 && evidence.Vectors.Count > i)
                score = TensorPrimitives.CosineSimilarity(situation.Span[..evidence.Vectors[i].Length], evidence.Vectors[i].Span);
            // Shared topic words, weighted by how rare they are, and each aspect of the question the claim speaks to.
            if (wantedWeight > 0)
                score += WordBonus * evidence.Terms[i].Where(wanted.Contains).Sum(t => index.Lexical.Idf(t)) / wantedWeight;
            score += AspectBonus * conditionAspects;
            if (least)
            {
                if (claim.Kind is not (ClaimKind.Con or ClaimKind.TableCell))
                    continue;
                if (claim.Kind == ClaimKind.TableCell)
                    score -= 0.1 * claim.Grade;
            }
            else
            {
                switch (claim.Kind)
                {
                    case ClaimKind.Con:
                        foreach (var e in claim.Entities.Where(best.ContainsKey))
                        {
                            if (!warnings.TryGetValue(e, out var worst) || score > worst.Score)
                                warnings[e] = new ScoredClaim(claim, score) { OnAspect = onAspect };
                        }
                        continue;
                    case ClaimKind.TableCell:
                        score += gradeWeight * claim.Grade - 0.02;
                        break;
                    case ClaimKind.Pro:
                        score -= 0.01;
                        break;
                }
            }
            var scored = new ScoredClaim(claim, score) { OnAspect = onAspect };
            foreach (var e in claim.Entities.Where(best.ContainsKey))
                best[e].Add(scored);
            if (top is null || score > top.Score)
                top = scored;
        }
        foreach (var list in best.Values)
            list.Sort((a, b) => b.Score.CompareTo(a.Score));

        // An entity's standing: its best claim, less a share of a warning that fits the situation better than its praise.
        double Warning(string e) => warnings.TryGetValue(e, out var w) ? Math.Max(0, w.Score) : 0;
        double Standing(string e) => best[e].Count == 0 ? double.NegativeInfinity : best[e][0].Score - 0.5 * Math.Max(0, Warning(e) - best[e][0].Score + 0.05);
        var ranked = candidates.Where(c => best[c].Count > 0).OrderByDescending(Standing).ToList();
        var standings = candidates.ToDictionary(c => c, Standing, StringComparer.Ordinal);
        var found = Decide(ranked, top, best, candidates, Standing);
        return found with { Standings = standings, Warnings = warnings };
    }

    /// <summary>
    /// True when every topic term of a question is a cue of one of its aspects ("which of those is faster?"): it asks how
    /// the entities rate on a feature, not which fits a situation.
    /// </summary>
    public static bool IsAspectOnly(IReadOnlyCollection<string> terms, IReadOnlyList<Topics.Aspect> aspects)
        => aspects.Count > 0 && terms.Count > 0 && terms.All(t => aspects.Any(a => a.Triggers.Contains(t)));

    private static VerdictEvidence Decide(List<string> ranked, ScoredClaim? top, Dictionary<string, List<ScoredClaim>> best,
        IReadOnlyList<string> candidates, Func<string, double> Standing)
    {
        if (ranked.Count == 0)
            return new VerdictEvidence(null, [], best);
        var winner = ranked[0];
        // A best claim that names several entities ("X or Y would be more appropriate"), or two standings too close to
        // tell apart, is a split verdict.
        if (top is not null && top.Claim.Entities.Count > 1 && top.Claim.Entities.Contains(winner) && top.Claim.Entities.Count(best.ContainsKey) > 1)
            return new VerdictEvidence(winner, [.. top.Claim.Entities.Where(best.ContainsKey)], best);
        if (ranked.Count < 2 || candidates.Count < 2)
            return new VerdictEvidence(winner, [], best);
        double gap = Standing(ranked[0]) - Standing(ranked[1]);
        ScoredClaim first = best[ranked[0]][0], second = best[ranked[1]][0];
        bool firstCell = first.Claim.Kind == ClaimKind.TableCell, secondCell = second.Claim.Kind == ClaimKind.TableCell;
        // Too close to tell apart by score: a claim that resembles the situation but speaks to none of the aspects asked
        // about does not win against, or share the verdict with, one that does ("a chat app with websockets": "real-time
        // applications" against "you're building a complete web application"; "clerks edit records through back-office
        // screens": "Admin Panel: Built-in" against "high-performance backend systems").
        bool firstSpeaks = first.OnAspect, secondSpeaks = second.OnAspect;
        if (gap < SplitMargin && firstSpeaks != secondSpeaks)
            return new VerdictEvidence(firstSpeaks ? ranked[0] : ranked[1], [], best);
        // Both on the aspects, or neither: a rating on one feature of a comparison table ("Learning Curve: Easy") is
        // weaker evidence than a sentence or list item that recommends an entity for a situation, so when exactly one of
        // the two rests on a table cell, the recommendation decides.
        if (gap < SplitMargin && firstCell != secondCell)
            return new VerdictEvidence(firstCell ? ranked[1] : ranked[0], [], best);
        // A claim on the aspects also wins against one a little further ahead that is not on them.
        if (gap < AspectMargin && secondSpeaks && !firstSpeaks)
            return new VerdictEvidence(ranked[1], [], best);
        if (gap < SplitMargin)
            return new VerdictEvidence(winner, [ranked[0], ranked[1]], best);
        return new VerdictEvidence(winner, [], best);
    }
}
