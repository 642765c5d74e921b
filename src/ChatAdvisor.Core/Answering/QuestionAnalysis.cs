using System.Text.RegularExpressions;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Answering;

/// <summary>A topic a question can be about, with the terms that signal it and the terms that find it.</summary>
/// <param name="Id">A short id ("performance").</param>
/// <param name="Label">How answers name it ("performance").</param>
/// <param name="Triggers">Search terms (stems or canonical terms) that signal the aspect in a question.</param>
/// <param name="Expansion">Search terms added to the query when the aspect is present.</param>
public sealed record Aspect(string Id, string Label, string[] Triggers, string[] Expansion);

/// <summary>What the advisor understood of a question.</summary>
public sealed record QuestionAnalysis
{
    /// <summary>The question with any embedded instructions removed.</summary>
    public required string Text { get; init; }

    /// <summary>The kind of question.</summary>
    public required QuestionKind Kind { get; init; }

    /// <summary>Frameworks the question is about, in order of mention.</summary>
    public IReadOnlyList<Framework> Frameworks { get; init; } = [];

    /// <summary>Topics the question is about.</summary>
    public IReadOnlyList<Aspect> Aspects { get; init; } = [];

    /// <summary>For pros-and-cons questions: whether the advantages are asked for.</summary>
    public bool WantsPros { get; init; }

    /// <summary>For pros-and-cons questions: whether the disadvantages are asked for.</summary>
    public bool WantsCons { get; init; }

    /// <summary>"Why not Django?" after a recommendation: the first framework is the one rejected.</summary>
    public bool WhyNot { get; init; }

    /// <summary>The use case in the user's words ("a high-traffic ML inference API"), when there is one.</summary>
    public string? UseCase { get; init; }

    /// <summary>The search terms of the question after spelling correction (without expansions).</summary>
    public IReadOnlyList<string> Terms { get; init; } = [];

    /// <summary>Words of the question that carry its topic (not stop words, framework names or question cues).</summary>
    public IReadOnlyList<string> ContentWords { get; init; } = [];

    /// <summary>Technologies named that the articles do not cover (Rails, Spring, …).</summary>
    public IReadOnlyList<string> OtherTechnologies { get; init; } = [];

    /// <summary>True when the question leans on the conversation ("and its cons?", "why not Django?").</summary>
    public bool LooksLikeFollowUp { get; init; }

    /// <summary>True when text that tried to give the advisor instructions was removed.</summary>
    public bool HadInstructions { get; init; }

    /// <summary>The framework recommended in the answer (set by the composer, remembered for follow-ups).</summary>
    public Framework? Recommended { get; init; }

    /// <summary>A standalone wording of the question, for display and logs.</summary>
    public string Resolved { get; init; } = "";
}

/// <summary>
/// Recognises the kind of a question, the frameworks and aspects it concerns, its use case, and whether it
/// leans on earlier turns. Text that tries to give instructions is removed before anything else.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class QuestionAnalyzer
{
    /// <summary>The aspects the advisor recognises.</summary>
    public static readonly IReadOnlyList<Aspect> Aspects =
    [
        new("performance", "performance", ["perform", "speed", "throughput", "concurr", "benchmark", "latenc", "traffic", "load", "fast", "fastest", "faster", "quick", "slow", "rp"], ["perform", "concurr", "async", "benchmark", "speed"]),
        new("scalability", "scalability", ["scalabl", "scale", "scalabil", "grow", "growth"], ["scalabl", "scale", "scalabil"]),
        new("beginners", "beginners", ["beginn", "learn", "newbi", "student", "curv", "easiest", "easi", "simpl", "start", "teach"], ["beginn", "learn", "curv", "easi"]),
        new("admin", "an admin panel", ["admin"], ["admin"]),
        new("database", "databases and ORM", ["orm", "databas", "sql", "sqlalchemi", "model", "crud"], ["orm", "databas", "sqlalchemi"]),
        new("async", "async support", ["async", "await", "asgi", "wsgi", "concurr"], ["async", "await"]),
        new("api", "APIs", ["api", "rest", "endpoint", "graphql", "json"], ["api", "rest"]),
        new("ml", "machine learning", ["ml", "infer", "predict", "model", "data"], ["ml", "infer"]),
        new("microservices", "microservices", ["microservice", "servic"], ["microservice"]),
        new("security", "security", ["secur", "csrf", "xss", "authent", "vulner", "attack", "injection", "safe", "flaskwtf", "permiss"], ["secur", "csrf", "authent"]),
        new("community", "community and ecosystem", ["commun", "ecosystem", "popular", "matur", "support", "extens", "librari", "plugin"], ["commun", "ecosystem", "matur"]),
        new("documentation", "documentation", ["document", "swagger", "openapi", "redoc"], ["document", "openapi", "swagger"]),
        new("small", "small projects", ["small", "prototyp", "mvp", "poc", "proof", "lightweight", "minim", "tini"], ["small", "prototyp", "lightweight"]),
        new("large", "large projects", ["larg", "big", "enterpris", "complex", "monolith", "huge"], ["larg", "big", "enterpris", "complex"]),
        new("flexibility", "flexibility", ["flexibl", "flexibil", "control", "custom", "freedom", "opinion"], ["flexibl", "flexibil", "control"]),
        new("content", "content-heavy sites", ["ecommerce", "cms", "content", "blog", "shop", "news"], ["ecommerce", "content"]),
        new("realtime", "real-time applications", ["realtime", "websocket", "chat", "stream"], ["realtime"]),
        new("validation", "validation", ["valid", "pydant", "type", "hint", "schema"], ["valid", "pydant", "type"]),
        new("templates", "templating", ["templat", "jinja", "jinja2", "html", "render"], ["templat", "jinja2"]),
        new("speed", "development speed", ["rapid", "deadlin", "productiv", "mvp", "quickli", "time"], ["rapid", "productiv", "quickli"]),
        new("history", "history", ["creat", "releas", "histori", "year", "origin", "invent", "author", "built", "base"], ["creat", "releas", "histori", "built", "emerg", "origin", "inspir"]),
    ];

    private static readonly HashSet<string> OtherTech = new(StringComparer.Ordinal)
    {
        "rails", "ruby", "spring", "laravel", "php", "express", "expressjs", "node", "nodejs", "golang", "gin", "java",
        "rust", "actix", "aspnet", "dotnet", "react", "vue", "angular", "svelte", "nextjs", "tornado", "pyramid",
        "bottle", "sanic", "symfony", "phoenix", "elixir", "kotlin", "ktor", "nestjs", "quarkus", "micronaut", "streamlit",
    };

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
    };

    private static readonly HashSet<string> DomainWords = new(StringComparer.Ordinal)
    {
        "software", "app", "apps", "application", "applications", "site", "sites", "endpoint", "endpoints", "demo",
        "prototype", "mvp", "frontend", "database", "databases", "microservice", "microservices", "deploy", "deployment",
        "framework", "frameworks", "backend", "web", "server", "website", "websites", "api", "apis", "starlette", "pydantic",
        "werkzeug", "jinja", "jinja2", "wsgi", "asgi", "uvicorn", "gunicorn", "orm", "admin", "microframework",
    };

    private static readonly HashSet<string> Anaphora = new(StringComparer.Ordinal)
    {
        "it", "its", "it's", "they", "them", "their", "that", "this", "those", "these", "one", "there", "same", "instead", "else",
    };

    // "Which one should a novice pick up?", "what should I use to…", "the oldest of the three": a choice among the
    // frameworks even when none is named. Questions that turn out not to be covered still get a plain "not covered".
    [GeneratedRegex(@"^ (which|what) (one|ones|option|options|framework|frameworks|tool|stack) | (should|would|could) (i|we) (use|pick|choose|go with|learn|start with|pick up) | of the three | (back office|backoffice|the micro one|the all in one|the minimal framework|the loose framework|the youngest|the oldest|the newest) |^ which (handles|has|is|offers|supports|scales|works|suits|copes) ")]
    private static partial Regex ChoosingAmongOptions();

    [GeneratedRegex(@"\b(ignore|disregard|forget|override)\b[^.?!\n]*\b(instructions?|prompts?|rules|directions|guidelines|context|above|previous|prior)\b[^.?!\n]*[.?!]?", RegexOptions.IgnoreCase)]
    private static partial Regex IgnoreInstructions();

    [GeneratedRegex(@"\b(you\s+are\s+now|act\s+as|pretend\s+(to\s+be|you\s+are|that)|from\s+now\s+on|new\s+instructions?|system\s+prompt|developer\s+mode|jailbreak)\b[^.?!\n]*[.?!]?", RegexOptions.IgnoreCase)]
    private static partial Regex RolePlay();

    [GeneratedRegex("""\b(say|respond|reply|answer|print|output|write|claim|state)\s+(only\s+|exactly\s+|that\s+|with\s+)*(["“'][^"”']*["”']|[^.?!\n]*\b(is|are)\s+(dead|bad|terrible|the\s+best|better|worse)\b[^.?!\n]*)[.?!]?""", RegexOptions.IgnoreCase)]
    private static partial Regex SayThat();

    [GeneratedRegex(@"\b(?:for|building|build|to\s+build|to\s+make|making|on)\s+(?<case>(?:an?|my|our|the|some)\s+[^?.!,;]{3,80})", RegexOptions.IgnoreCase)]
    private static partial Regex UseCasePhrase();

    /// <summary>Analyses <paramref name="question"/> using the corpus vocabulary in <paramref name="index"/> for spelling correction.</summary>
    /// <remarks>
    /// <paramref name="nearCorpusByMeaning"/>: the question's embedding is close to a passage, so it counts as in the
    /// domain even without a domain keyword ("novice", "back-office screens").
    /// </remarks>
    public static QuestionAnalysis Analyze(string question, IndexSnapshot index, bool nearCorpusByMeaning = false)
    {
        var text = StripInstructions(question, out bool hadInstructions);
        var words = TextAnalyzer.Words(text.AsSpan());
        var corrected = words.Select(w => index.Spelling.Correct(w)).ToList();
        var terms = TextAnalyzer.TermsOfWords(corrected);
        var lower = " " + string.Join(' ', corrected) + " ";

        var frameworks = new List<Framework>();
        foreach (var term in terms)
        {
            if (Frameworks.FromTerm(term) is { } f && !frameworks.Contains(f))
                frameworks.Add(f);
        }

        var termSet = terms.ToHashSet(StringComparer.Ordinal);
        var aspects = Aspects.Where(a => a.Triggers.Any(termSet.Contains)).ToList();
        // "model" alone is ambiguous (data models vs ML models): keep ML only with an ML cue.
        if (aspects.Any(a => a.Id == "ml") && !termSet.Overlaps(["ml", "infer", "predict"]))
            aspects.RemoveAll(a => a.Id == "ml");
        if (aspects.Any(a => a.Id == "history") && !Regex.IsMatch(lower, @" (who|when|year|created|released|history|origin|invented|built on|based on|creator|author) "))
            aspects.RemoveAll(a => a.Id == "history");

        var others = corrected.Where(OtherTech.Contains).Distinct().ToList();
        if (Regex.IsMatch(lower, @" (ruby on rails|asp net|next js|node js) "))
            others.Add(Regex.Match(lower, @" (ruby on rails|asp net|next js|node js) ").Groups[1].Value);

        var content = corrected
            .Where(w => !TextAnalyzer.StopWords.Contains(w) && !CueWords.Contains(w) && !Anaphora.Contains(w) && Frameworks.FromTerm(w) is null && !w.All(char.IsDigit))
            .Distinct().ToList();

        bool wantsCons = Regex.IsMatch(lower, @" (cons?|disadvantages?|drawbacks?|downsides?|weakness(es)?|limitations?|negatives?|minuses|problems?|issues?|bad|worst|risks?|caveats?|criticism) ");
        bool wantsPros = Regex.IsMatch(lower, @" (pros?|advantages?|benefits?|strengths?|positives?|pluses|good about|upsides?) ");
        bool prosCons = wantsCons || wantsPros;
        bool whyNot = Regex.IsMatch(lower, @"^ (why not|why wouldn t|why shouldn t|what s wrong with|isn t) ") && frameworks.Count >= 1;
        bool comparison = frameworks.Count >= 2 || Regex.IsMatch(lower, @" (vs|versus|compare[sd]?|comparison|comparing|difference|differences|differ|against) ");

        QuestionKind kind;
        if (whyNot)
            kind = QuestionKind.Comparison;
        else if (prosCons && frameworks.Count <= 1)
            kind = QuestionKind.ProsCons;
        else if (comparison && (frameworks.Count >= 2 || Regex.IsMatch(lower, @" (compare|comparison|vs|versus|differ)")))
            kind = QuestionKind.Comparison;
        else if (Regex.IsMatch(lower, @"^ (which|what) (\w+ )?(websites|sites|companies|products|apps) |^ (who|when|where|what year|how old)|^ (is|does|can|did|was|has) (django|flask|fastapi|it) | (built on|based on|created by|released|used by|inspired by|who created|who made|who wrote) "))
            kind = QuestionKind.Fact;
        else if (Regex.IsMatch(lower, @"^ (what is|what s|what are|define|explain|what does|what do you mean by) ") && frameworks.Count == 0 && !Regex.IsMatch(lower, @" (best|better|should|recommend|choose|which) "))
            kind = QuestionKind.Definition;
        else if (Regex.IsMatch(lower, @" (which|what framework|should i|should we|recommend|recommendation|best|better|choose|choice|pick|go with|suit|suited|ideal|good for|good choice|right for|use for|i want to build|i m building|we re building|i need|we need|for a|for an|for my|for our) "))
            kind = QuestionKind.Recommendation;
        else if (Regex.IsMatch(lower, @"^ (what is|what s|what are|tell me about|describe) "))
            kind = frameworks.Count > 0 ? QuestionKind.General : QuestionKind.Definition;
        else
            kind = QuestionKind.General;

        bool inDomain = frameworks.Count > 0 || aspects.Count > 0 || corrected.Any(DomainWords.Contains) || nearCorpusByMeaning
            || ChoosingAmongOptions().IsMatch(lower)
            || (content.Count > 0 && content.Count(w => index.Spelling.IsKnown(w)) * 2 > content.Count && corrected.Any(w => w is "framework" or "frameworks" or "backend" or "web"));
        bool onlyOtherTech = others.Count > 0 && frameworks.Count == 0;
        bool nothingLeft = words.Count == 0;
        bool followUpText = LooksLikeFollowUpText(lower, content);
        bool mostlyUnknown = content.Count > 0 && content.Count(w => index.Spelling.IsKnown(w)) * 2 < content.Count;
        if ((!inDomain && (content.Count > 0 ? mostlyUnknown || !followUpText : !followUpText)) || onlyOtherTech || nothingLeft)
            kind = QuestionKind.OutOfScope;

        string? useCase = null;
        var match = UseCasePhrase().Match(text);
        if (match.Success && kind == QuestionKind.Recommendation)
        {
            var phrase = match.Groups["case"].Value.Trim();
            var phraseTerms = TextAnalyzer.Terms(phrase.AsSpan());
            if (phrase.Split(' ').Length <= 10 && phraseTerms.Any(t => Aspects.Any(a => a.Triggers.Contains(t)) || DomainWords.Contains(t)))
                useCase = phrase;
        }

        return new QuestionAnalysis
        {
            Text = text,
            Kind = kind,
            Frameworks = frameworks,
            Aspects = aspects,
            WantsCons = wantsCons,
            WantsPros = wantsPros || (prosCons && !wantsCons),
            WhyNot = whyNot,
            UseCase = useCase,
            Terms = terms,
            ContentWords = content,
            OtherTechnologies = others,
            LooksLikeFollowUp = LooksLikeFollowUpText(lower, content) || (frameworks.Count == 0 && aspects.Count == 0 && kind != QuestionKind.OutOfScope),
            HadInstructions = hadInstructions,
        };
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
