using System.Text.RegularExpressions;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Answering;

/// <summary>What the advisor understood of a question.</summary>
public sealed record QuestionAnalysis
{
    /// <summary>The question with any embedded instructions removed.</summary>
    public required string Text { get; init; }

    /// <summary>The kind of question.</summary>
    public required QuestionKind Kind { get; init; }

    /// <summary>Ids of the entities the question is about, in order of mention (after follow-up resolution, the ones it resolved to).</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>Ids of the entities the user named in this question itself, before follow-up resolution.</summary>
    public IReadOnlyList<string> Asked { get; init; } = [];

    /// <summary>Topics the question is about.</summary>
    public IReadOnlyList<Aspect> Aspects { get; init; } = [];

    /// <summary>For pros-and-cons questions: whether the advantages are asked for.</summary>
    public bool WantsPros { get; init; }

    /// <summary>For pros-and-cons questions: whether the disadvantages are asked for.</summary>
    public bool WantsCons { get; init; }

    /// <summary>"Why not X?" after a recommendation: the first entity is the one rejected.</summary>
    public bool WhyNot { get; init; }

    /// <summary>
    /// True when the question asks which entity has the least of something ("the smallest community", "the hardest to
    /// learn"): the evidence for it is what the articles say against an entity, and the lowest rating of a table row.
    /// </summary>
    public bool WantsLeast { get; init; }

    /// <summary>True when the question doubts that the entity it names fits ("Would X be overkill for …?").</summary>
    public bool DoubtsFit { get; init; }

    /// <summary>The use case in the user's words ("a high-traffic ML inference API"), when there is one.</summary>
    public string? UseCase { get; init; }

    /// <summary>What the user is building or needs, in their words (the use case, or the whole question that described it); follow-ups are judged on it.</summary>
    public string? Situation { get; init; }

    /// <summary>The search terms of the question after spelling correction (without expansions).</summary>
    public IReadOnlyList<string> Terms { get; init; } = [];

    /// <summary>Words of the question that carry its topic (not stop words, entity names or question cues).</summary>
    public IReadOnlyList<string> ContentWords { get; init; } = [];

    /// <summary>Names of what the question asks about that the articles never mention (another technology, deployment, …).</summary>
    public IReadOnlyList<string> Uncovered { get; init; } = [];

    /// <summary>True when the question leans on the conversation ("and its cons?", "why not X?").</summary>
    public bool LooksLikeFollowUp { get; init; }

    /// <summary>True when the message asks for a task (write code, a query, a text) rather than asking about the articles.</summary>
    public bool IsTask { get; init; }

    /// <summary>True when text that tried to give the advisor instructions was removed.</summary>
    public bool HadInstructions { get; init; }

    /// <summary>The entity the answer named as its verdict (remembered for follow-ups).</summary>
    public string? Verdict { get; init; }

    /// <summary>The entities the answer was about (remembered for "the others", "which of those").</summary>
    public IReadOnlyList<string> Shown { get; init; } = [];

    /// <summary>A standalone wording of the question, for display and logs.</summary>
    public string Resolved { get; init; } = "";
}

/// <summary>
/// Recognises the kind of a question, the entities and aspects of the topic profile it concerns, its use case, and whether it
/// leans on earlier turns. Text that tries to give instructions is removed before anything else.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class QuestionAnalyzer
{
    // Words that signal the kind of question but not its topic.
    private static readonly HashSet<string> CueWords = new(StringComparer.Ordinal)
    {
        "pros", "cons", "pro", "con", "advantage", "advantages", "disadvantage", "disadvantages", "drawback", "drawbacks",
        "downside", "downsides", "benefit", "benefits", "strength", "strengths", "weakness", "weaknesses", "limitation",
        "limitations", "compare", "compared", "comparison", "difference", "differences", "differ", "better", "best", "worse",
        "good", "bad", "choose", "choice", "pick", "recommend", "recommended", "recommendation", "suggest", "framework",
        "frameworks", "python", "web", "backend", "back", "end", "option", "options", "go", "ok", "okay", "thanks", "hi", "hello",
        "explain", "define", "definition", "mean", "means", "about", "instead", "prefer", "ideal", "suitable", "suited", "right",
        "build", "building", "make", "project", "app", "application", "applications", "developer", "developers", "development",
        "stack", "opinion", "say", "article", "articles", "which", "wich", "should", "problems", "issues", "negatives", "positives",
        "pluses", "minuses", "similar", "same", "different",
        // Filler that weighs a question without saying what it is about ("honestly, which is the best one overall?").
        "overall", "honestly", "honest", "frankly", "actually", "seriously", "basically", "generally", "personally", "truly",
    };

    private static readonly HashSet<string> Anaphora = new(StringComparer.Ordinal)
    {
        "it", "its", "it's", "they", "them", "their", "that", "this", "those", "these", "one", "there", "same", "instead", "else",
        "other", "others", "two", "three", "rest", "remaining", "ones", "either", "both",
    };

    // "Which one should a novice pick up?", "what should I use to…", "the oldest of the three": a choice among the
    // entities even when none is named. Questions that turn out not to be covered still get a plain "not covered".
    [GeneratedRegex(@"^ (which|what) (one|ones|option|options|framework|frameworks|tool|stack) | (should|would|could) (i|we) (use|pick|choose|go with|learn|start with|pick up) | of the three | (back office|backoffice|the micro one|the all in one|the minimal framework|the loose framework|the youngest|the oldest|the newest) |^ which (handles|has|is|offers|supports|scales|works|suits|copes) ")]
    private static partial Regex ChoosingAmongOptions();

    /// <summary>
    /// A hyphenated word with a part of three letters or more that is neither a word of the articles nor of the language
    /// ("scikit-learn", not "e-shop") is a name: it is read as one word, so its parts ("learn") do not pass for words of
    /// the question.
    /// </summary>
    private static string JoinNamedCompounds(string text, SpellingCorrector vocabulary)
        => NamedCompound().Replace(text, m =>
            m.Groups["parts"].Captures.Any(c => c.Length >= 3 && !vocabulary.IsWord(c.Value.ToLowerInvariant()))
                ? string.Concat(m.Groups["parts"].Captures.Select(c => c.Value))
                : m.Value);

    [GeneratedRegex(@"\b(?<parts>[A-Za-z][A-Za-z0-9]*)(?:-(?<parts>[A-Za-z][A-Za-z0-9]*))+\b")]
    private static partial Regex NamedCompound();

    [GeneratedRegex(@"\b(?<head>[A-Za-z][A-Za-z0-9]*)-(heavy|intensive|driven|centric|oriented|focused|based)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DegreeSuffix();

    [GeneratedRegex(@"\b(ignore|disregard|forget|override)\b[^.?!\n]*\b(instructions?|prompts?|rules|directions|guidelines|context|above|previous|prior)\b[^.?!\n]*[.?!]?", RegexOptions.IgnoreCase)]
    private static partial Regex IgnoreInstructions();

    [GeneratedRegex(@"\b(you\s+are\s+now|act\s+as|pretend\s+(to\s+be|you\s+are|that)|from\s+now\s+on|new\s+instructions?|system\s+prompt|developer\s+mode|jailbreak)\b[^.?!\n]*[.?!]?", RegexOptions.IgnoreCase)]
    private static partial Regex RolePlay();

    [GeneratedRegex("""\b(say|respond|reply|answer|print|output|write|claim|state)\s+(only\s+|exactly\s+|that\s+|with\s+)*(["“'][^"”']*["”']|[^.?!\n]*\b(is|are)\s+(dead|bad|terrible|the\s+best|better|worse)\b[^.?!\n]*)[.?!]?""", RegexOptions.IgnoreCase)]
    private static partial Regex SayThat();

    [GeneratedRegex(@"\b(?:for|building|build|to\s+build|to\s+make|making|on)\s+(?<case>(?:an?|my|our|the|some)\s+[^?.!,;:]{3,80})", RegexOptions.IgnoreCase)]
    private static partial Regex UseCasePhrase();

    [GeneratedRegex(@"[()\[\]]|\b(i|i'm|im|we|we're|you|they|he|she|is|are|was|were|am|isn't|aren't|know|knows)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NotANounPhrase();

    /// <summary>
    /// Whether a question about one entity asks which thing of it ("Which interactive reference pages come with X?",
    /// "What Python version does X need?"), not which entity: the word after "which" or "what" is neither the topic's
    /// noun nor "one" or "option", and nothing asks for a recommendation.
    /// </summary>
    private static bool AsksForAThingOf(string lower, IReadOnlyList<string> entities, TopicProfile topic)
    {
        if (entities.Count != 1 || Regex.IsMatch(lower, @" (should|recommend\w*|best|better|choose|pick|good for|suit\w*|ideal) "))
            return false;
        var asked = Regex.Match(lower, @"^ (which|what) (?<thing>\w+) ");
        if (!asked.Success)
            return false;
        var thing = asked.Groups["thing"].Value;
        var noun = topic.EntityNoun.ToLowerInvariant();
        return thing != noun && thing != noun + "s" && !TextAnalyzer.StopWords.Contains(thing)
            && thing is not ("one" or "ones" or "option" or "options" or "kind" or "sort" or "type");
    }

    /// <summary>
    /// <paramref name="words"/> without the word that "not (just) a", "rather than" or "instead of" sets aside.
    /// </summary>
    private static List<string> SetAside(IReadOnlyList<string> words)
    {
        var kept = new List<string>(words.Count);
        for (int i = 0; i < words.Count; i++)
        {
            kept.Add(words[i]);
            bool negates = words[i] == "not" || (i > 0 && (words[i - 1], words[i]) is ("rather", "than") or ("instead", "of"));
            if (!negates)
                continue;
            int j = i + 1;
            while (j < words.Count && words[j] is "just" or "only" or "simply" or "merely" or "a" or "an" or "the")
                j++;
            // "not an API", not "not sure an API is needed": only a noun right after the setting-aside words goes.
            if (j < words.Count && (j > i + 1 || words[i] != "not"))
                i = j;
        }
        return kept;
    }

    /// <summary>
    /// Analyses <paramref name="question"/> against the entities and aspects of <paramref name="topic"/>, using the corpus
    /// vocabulary in <paramref name="index"/> for spelling correction and to tell what the articles never mention.
    /// </summary>
    /// <remarks>
    /// <paramref name="nearCorpusByMeaning"/>: the question's embedding is close to a passage, so it counts as in the
    /// domain even without a domain keyword ("novice", "back-office screens").
    /// </remarks>
    public static QuestionAnalysis Analyze(string question, IndexSnapshot index, TopicProfile topic, bool nearCorpusByMeaning = false)
    {
        // "the micro one" is read as the entity the profile describes so, before anything else looks at the words.
        var text = Readable(question, topic, out bool hadInstructions);
        text = JoinNamedCompounds(text, index.Spelling);
        // "a database-heavy app" is an app with much database: "heavy" says how much, and is no word of the situation that
        // should meet "heavy API usage" or "can feel heavy" (the text, and so the use case shown, keeps it).
        var words = TextAnalyzer.Words(DegreeSuffix().Replace(text, "${head}").AsSpan());
        var corrected = words.Select(w => index.Spelling.Correct(w)).ToList();
        var entities = topic.EntitiesInWords(corrected);
        // An entity's alias of several words ("my db" for "MyDB") reads as the entity's own term, not as its words (which could be
        // cues of their own).
        var folded = FoldEntityPhrases(corrected, topic);
        var terms = TextAnalyzer.TermsOfWords(folded);
        var lower = " " + string.Join(' ', folded) + " ";
        // The same text with every entity written as "xentity", for cues that do not care which entity is named.
        var generic = " " + string.Join(' ', folded.Select(w => topic.EntityOfTerm(w) is null ? w : "xentity")) + " ";

        // "a full website, not just an API" is not a question about APIs: a word the question sets aside is no aspect cue.
        var affirmed = SetAside(folded);
        var affirmedTerms = affirmed.Count == folded.Count ? terms : TextAnalyzer.TermsOfWords(affirmed);
        var aspects = topic.AspectsIn(affirmedTerms, affirmed);

        // What the question names that the articles never mention: judged on the words as typed (spelling correction
        // would turn an unknown name into a known word).
        var uncoveredTopics = topic.UncoveredIn(words)
            .Where(m => !m.Words.Where(w => !TextAnalyzer.StopWords.Contains(w)).All(index.Spelling.IsKnown)).ToList();
        var uncovered = uncoveredTopics.Select(m => NameAsAsked(m.Topic, m.Words, question)).ToList();
        var uncoveredWords = topic.UncoveredIn(words).SelectMany(m => m.Words).ToHashSet(StringComparer.Ordinal);

        var domainWords = topic.DomainWords.ToHashSet(StringComparer.Ordinal);
        var content = folded
            .Where(w => !TextAnalyzer.StopWords.Contains(w) && !CueWords.Contains(w) && !Anaphora.Contains(w) && topic.EntityOfTerm(w) is null
                && !w.All(char.IsDigit) && !uncoveredWords.Contains(w))
            .Distinct().ToList();

        bool wantsCons = Regex.IsMatch(lower, @" (cons?|disadvantages?|drawbacks?|downsides?|weakness(es)?|limitations?|negatives?|minuses|problems?|issues?|bad|worst|risks?|caveats?|criticism|lose|trade offs?|tradeoffs?) ");
        bool wantsPros = Regex.IsMatch(lower, @" (pros?|advantages?|benefits?|strengths?|positives?|pluses|good about|upsides?|gain|trade offs?|tradeoffs?) ")
            || (wantsCons && Regex.IsMatch(lower, @" (good|gain|like) "));
        bool prosCons = wantsCons || wantsPros;
        bool whyNot = Regex.IsMatch(lower, @"^ (why not|why wouldn t|why shouldn t|what s wrong with|isn t) ") && entities.Count >= 1;
        bool comparison = entities.Count >= 2 || Regex.IsMatch(lower, @" (vs|versus|compare[sd]?|comparison|comparing|difference|differences|differ|against) ");
        // "X or Y for an online store?": a choice between the entities named, not a comparison of them.
        bool choiceBetween = entities.Count >= 2 && Regex.IsMatch(generic, @" xentity or xentity ")
            && !Regex.IsMatch(lower, @" (vs|versus|compare[sd]?|comparison|comparing|difference|differences|differ) ");
        // "Do any of these come with X?", "how is X across the three?": the entities compared on an aspect, none named.
        // So is "which of them ship X and which expect Y?": both sides asked for, each entity's value is the answer.
        bool acrossAll = entities.Count == 0 && aspects.Count > 0
            && ((Regex.IsMatch(lower, @" ((any|each|all|none|either|neither) of (them|these|those|the three|the two|the frameworks)|do (they|these|those) |across (them|these|those|the three|all three|the board))")
                && !Regex.IsMatch(lower, @" (best|better|should|would you|recommend|choose|pick|go with|use|ideal|right for|suit) "))
                || Regex.IsMatch(lower, @" which (\w+ ){1,8}and which (ones? |of (them|these|those) )?(\w+ )?(do|don t|does|doesn t|have|has|ship|need|expect|come|lack|leave|make)\b"));
        bool wantsLeast = Regex.IsMatch(lower, @" (smallest|least|fewest|slowest|weakest|worst|lowest|hardest|most difficult|most complex|most complicated|most opinionated|most rigid|most restrictive|strictest) ");
        bool doubtsFit = Regex.IsMatch(lower, @" (overkill|too (heavy|much|big|complex|complicated|slow|simple|small|limited|basic|young|new)|a bad (idea|choice|fit)|a poor (choice|fit)|a mistake|a waste) ");

        QuestionKind kind;
        if (whyNot)
            kind = QuestionKind.Comparison;
        else if (choiceBetween && !prosCons)
            kind = QuestionKind.Recommendation;
        else if (prosCons && entities.Count <= 1)
            kind = QuestionKind.ProsCons;
        else if ((comparison && (entities.Count >= 2 || Regex.IsMatch(lower, @" (compare|comparison|vs|versus|differ)"))) || acrossAll)
            kind = QuestionKind.Comparison;
        else if (Regex.IsMatch(generic, @"^ (is|are|would|will|could|can) (xentity|it|they) (be |really |still )?(a |an )?(good|great|right|bad|the right|the best|suitable|suited|ideal|fit|overkill|enough|recommended|fine|ok|okay|viable|appropriate|sensible|sound|too|solid|decent|poor|handle|cope|scale)\b"))
            kind = QuestionKind.Recommendation; // "Is X a good fit for …?" asks for a verdict on a situation
        else if (Regex.IsMatch(generic, @"^ (which|what) (\w+ )?(websites|sites|companies|products|apps) |^ (which|what) (\w+ ){1,3}(does|do|did|is|are|was) xentity (use|uses|using|ship|ships|come|have|has|support|supports|rely|run|build|built|based)\b| (websites|sites|companies|products|apps|who) (\w+ ){0,3}(use|uses|using|run|runs|running|built with|powered by|run on|running on) xentity|^ (who|when|where|what year|how old)|^ (is|does|can|did|was|has) (xentity|it) | (built on|based on|created by|released|used by|inspired by|who created|who made|who wrote|how old) "))
            kind = QuestionKind.Fact;
        else if (AsksForAThingOf(lower, entities, topic))
            kind = QuestionKind.Fact; // "Which interactive docs come free with X?": a thing X has, not a choice among the entities
        else if (Regex.IsMatch(lower, @"^ (what is|what s|what are|define|explain|what does|what do you mean by) ") && entities.Count == 0 && !Regex.IsMatch(lower, @" (best|better|should|recommend|choose|which) "))
            kind = QuestionKind.Definition;
        else if (Regex.IsMatch(lower, @"^ (what|which) should | should (a|an|the|my|our) | (which|what framework|should i|should we|recommend|recommendation|best|better|choose|choice|pick|go with|suit|suited|ideal|good for|good choice|right for|use for|i want to build|i m building|we re building|i need|we need|for a|for an|for my|for our) "))
            kind = QuestionKind.Recommendation;
        else if (Regex.IsMatch(lower, @"^ (what is|what s|what are|tell me about|describe) "))
            kind = entities.Count > 0 ? QuestionKind.General : QuestionKind.Definition;
        else if (entities.Count == 0 && (Regex.IsMatch(lower, @"^ (i|we|i m|we re|i ve|we ve|my|our|im|gonna|going to|planning|building|making|just) | (need|want|building|making|planning|looking for|thinking of|setting up|launching|starting) ")
            || (!question.TrimEnd().EndsWith('?') && !Regex.IsMatch(lower, @"^ (what|which|who|when|where|why|how|is|are|does|do|did|can|could|should|would|will|tell|explain|define|describe|compare|list|give) ") && aspects.Count > 0)))
            kind = QuestionKind.Recommendation; // a situation described without a question: "our team needs a tiny internal tool"
        else
            kind = QuestionKind.General;

        // "How does X compare with Z?", Z an alternative the articles never mention: what they say for and against
        // the one they cover is the answer.
        if (kind == QuestionKind.Comparison && !whyNot && entities.Count == 1 && aspects.Count == 0 && uncoveredTopics.Any(m => m.Topic.Alternative))
        {
            kind = QuestionKind.ProsCons;
            wantsPros = wantsCons = true;
        }

        // Closeness in meaning alone does not bring in a question whose words the corpus mostly never uses
        // ("a good movie for tonight" is near "a good framework for …" in meaning).
        int knownContent = content.Count(w => index.Spelling.IsKnown(w));
        bool nearEnough = nearCorpusByMeaning && (content.Count == 0 || knownContent * 2 >= content.Count);
        bool inDomain = entities.Count > 0 || aspects.Count > 0 || folded.Any(domainWords.Contains) || nearEnough
            || ChoosingAmongOptions().IsMatch(lower) || ChoosingAmongOptions().IsMatch(" " + string.Join(' ', words) + " ")
            || (content.Count > 0 && content.Count(w => index.Spelling.IsKnown(w)) * 2 > content.Count && folded.Any(w => w is "framework" or "frameworks" or "backend" or "web"));
        // Names no article mentions ("Strawberry", "k8s") are not covered, whether or not the profile lists them. The names
        // in a described situation ("our Acme shop") are its context, not something asked about.
        if (kind != QuestionKind.Recommendation || entities.Count > 0)
        {
            foreach (var name in UnmentionedNames(text, index.Spelling, topic))
            {
                if (!uncovered.Any(u => u.Contains(name, StringComparison.OrdinalIgnoreCase)))
                    uncovered.Add(name);
            }
        }
        // A question that weighs only other choices of the same kind (two other frameworks, a service in another
        // language) is about choices the articles do not compare, whatever aspect it mentions.
        bool onlyUncovered = uncovered.Count > 0 && entities.Count == 0 && (aspects.Count == 0 || uncoveredTopics.Any(m => m.Topic.Alternative));
        bool nothingLeft = words.Count == 0;
        bool followUpText = LooksLikeFollowUpText(lower, content);
        bool mostlyUnknown = content.Count > 0 && content.Count(w => index.Spelling.IsKnown(w)) * 2 < content.Count;
        if ((!inDomain && (content.Count > 0 ? mostlyUnknown || !followUpText : !followUpText)) || onlyUncovered || nothingLeft)
            kind = QuestionKind.OutOfScope;

        string? useCase = null;
        var match = UseCasePhrase().Match(text);
        if (match.Success && kind == QuestionKind.Recommendation)
        {
            var phrase = Regex.Replace(match.Groups["case"].Value.Trim(), @"\s+(which|what|whats|thoughts|any ideas)(\s+\w+)?\s*$", "", RegexOptions.IgnoreCase);
            var phraseTerms = TextAnalyzer.Terms(phrase.AsSpan());
            // A use case is a noun phrase ("an online store with a staff back-office"): "on the team is comfortable with
            // async" and "on the backend side (i know python)" are clauses that merely follow the word that introduces one.
            if (phrase.Split(' ').Length <= 16 && !NotANounPhrase().IsMatch(phrase)
                && phraseTerms.Any(t => topic.Aspects.Any(a => a.Triggers.Contains(t)) || domainWords.Contains(t)))
                useCase = phrase;
        }

        return new QuestionAnalysis
        {
            Text = text,
            Kind = kind,
            Entities = entities,
            Asked = entities,
            Aspects = aspects,
            WantsCons = wantsCons,
            WantsPros = wantsPros || (prosCons && !wantsCons),
            WhyNot = whyNot,
            WantsLeast = wantsLeast,
            DoubtsFit = doubtsFit,
            UseCase = useCase,
            Situation = kind == QuestionKind.Recommendation && (useCase is not null || entities.Count == 0) ? useCase ?? text : null,
            Terms = terms,
            ContentWords = content,
            Uncovered = uncovered,
            LooksLikeFollowUp = LooksLikeFollowUpText(lower, content) || (entities.Count == 0 && aspects.Count == 0 && kind != QuestionKind.OutOfScope),
            HadInstructions = hadInstructions,
        };
    }

    /// <summary>
    /// The question as the analysis reads it: instructions removed, chat shorthand written out, and an entity described
    /// instead of named ("the micro one") named. The understanding models read their examples the same way.
    /// </summary>
    public static string Readable(string question, TopicProfile topic) => Readable(question, topic, out _);

    private static string Readable(string question, TopicProfile topic, out bool hadInstructions)
        => topic.NameDescribed(CasualWording.Normalize(StripInstructions(question, out hadInstructions)));

    /// <summary>
    /// How an answer names an uncovered topic: by its name when the question used it, else by the words the question
    /// used with the name beside them ("kubernetes (container deployment)"), so the user reads that what they asked
    /// about is the part not covered.
    /// </summary>
    private static string NameAsAsked(UncoveredTopic uncovered, string[] words, string question)
    {
        var name = TextAnalyzer.Words(uncovered.Name.AsSpan());
        if (words.All(name.Contains))
            return uncovered.Name;
        var typed = Regex.Match(question, string.Join(@"[\W_]*", words.Select(Regex.Escape)), RegexOptions.IgnoreCase);
        return $"{(typed.Success ? typed.Value : string.Join(' ', words))} ({uncovered.Name})";
    }

    /// <summary>
    /// The names in <paramref name="text"/> that no article uses, as typed: a word capitalised inside a sentence, or spelled
    /// as a product name (a digit, a capital inside it), that spelling correction does not turn into a word of the articles.
    /// Entity names and aliases are known.
    /// </summary>
    private static List<string> UnmentionedNames(string text, SpellingCorrector vocabulary, TopicProfile topic)
    {
        var names = new List<string>();
        foreach (Match m in NameToken().Matches(text))
        {
            var word = m.Value.TrimEnd('.', '-');
            var lower = word.ToLowerInvariant();
            if (lower.Length < 3 || vocabulary.IsKnown(lower) || topic.MentionedIn(word).Count > 0 || TextAnalyzer.StopWords.Contains(lower)
                || names.Contains(word, StringComparer.OrdinalIgnoreCase))
                continue;
            // A product's spelling ("k8s", "GitHub", "gRPC") marks a name wherever it stands.
            bool capitalisedInside = char.IsUpper(word[0]) && !StartsSentence(text, m.Index);
            bool spelledAsAName = word.Any(char.IsDigit) || word.Skip(1).Any(char.IsUpper);
            // An acronym that is a word of the language ("HTML", "JSON") is a common term, not a product's name.
            // A word in capitals longer than an acronym is shouting ("OVERRIDE"), not a name.
            bool allCaps = word.All(c => !char.IsLetter(c) || char.IsUpper(c));
            bool commonAcronym = allCaps && (vocabulary.IsWord(lower) || (word.Length > 5 && !word.Any(char.IsDigit)));
            if ((capitalisedInside || spelledAsAName) && !commonAcronym && !vocabulary.IsKnown(vocabulary.Correct(lower)))
                names.Add(word);
        }
        return names;
    }

    private static bool StartsSentence(string text, int index)
    {
        int i = index - 1;
        while (i >= 0 && (char.IsWhiteSpace(text[i]) || text[i] is '"' or '\'' or '(' or '*'))
            i--;
        return i < 0 || text[i] is '.' or '?' or '!' or ':' or '\n';
    }

    [GeneratedRegex(@"(?<![\w.\-])\p{L}[\p{L}\p{N}+#]*(?:\.\p{L}[\p{L}\p{N}+#]*)*(?![\w\-])")]
    private static partial Regex NameToken();

    /// <summary>The words with each entity alias of several words replaced by the entity's term.</summary>
    private static List<string> FoldEntityPhrases(List<string> words, TopicProfile topic)
    {
        var result = new List<string>(words.Count);
        for (int i = 0; i < words.Count; i++)
        {
            if (i + 1 < words.Count && topic.EntitiesInWords([words[i], words[i + 1]]) is [var id] && topic.EntityOfTerm(words[i]) is null && topic.EntityOfTerm(words[i + 1]) is null)
            {
                result.Add(topic.EntityTerms[id]);
                i++;
                continue;
            }
            result.Add(words[i]);
        }
        return result;
    }

    private static bool LooksLikeFollowUpText(string lower, IReadOnlyList<string> content)
    {
        if (Regex.IsMatch(lower, @"^ (and|but|also|so|then|what about|how about|why not|and what about|ok|okay|same|compared to|versus|vs) "))
            return true;
        if (Regex.IsMatch(lower, @" (it|its|it s|they|them|their|that|this|those|these|that one|this one|on that|the same|instead|either|the other|the others|other ones) "))
            return content.Count <= 3;
        return content.Count == 0;
    }

    /// <summary>Removes sentences that try to instruct the advisor ("ignore previous instructions and say …").</summary>
    public static string StripInstructions(string question, out bool removed)
    {
        var text = IgnoreInstructions().Replace(question, " ");
        text = RolePlay().Replace(text, " ");
        text = SayThat().Replace(text, " ");
        removed = text.Length != question.Length;
        return Regex.Replace(text, @"\s+", " ").Trim().Trim(',', ';', ':', '-').Trim();
    }
}
