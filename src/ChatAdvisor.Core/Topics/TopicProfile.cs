using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Topics;

/// <summary>One thing the corpus compares (a framework, a database, a product), with the names users call it by.</summary>
/// <param name="Id">A short stable id, stored in conversation state ("postgres").</param>
/// <param name="Name">The usual spelling, used in answers ("PostgreSQL").</param>
/// <param name="Aliases">Other spellings users write ("postgre sql", "pg"); the name and the id are always recognised.</param>
/// <param name="Descriptions">
/// How users describe it instead of naming it, as the articles characterise it ("relational", "the oldest"): recognised in a
/// definite description — "the relational one", "the oldest of the three", "the relational database" — and read as its name.
/// </param>
public sealed record TopicEntity(string Id, string Name, IReadOnlyList<string>? Aliases = null, IReadOnlyList<string>? Descriptions = null);

/// <summary>A topic a question can be about, with the terms that signal it and the terms that find it.</summary>
/// <param name="Id">A short id ("performance").</param>
/// <param name="Label">How answers name it ("performance").</param>
/// <param name="Triggers">
/// Search terms, as the index stores them (lower-case Porter stems), that signal the aspect in a question; a trigger of two
/// terms ("back offic") is signalled by the two in a row.
/// </param>
/// <param name="Expansion">Search terms added to the query when the aspect is present.</param>
public sealed record Aspect(string Id, string Label, string[] Triggers, string[] Expansion)
{
    /// <summary>
    /// For an aspect whose triggers are ambiguous ("model": a data model or a trained one): words, phrases or search terms
    /// one of which must also be in the question ("predict", "built on"). Empty: the triggers suffice.
    /// </summary>
    public string[] Requires { get; init; } = [];

    /// <summary>Whether a question with these search terms (in order) and words (lower-case, in order) is about the aspect.</summary>
    public bool IsIn(IReadOnlyList<string> terms, IReadOnlyList<string> words)
        => Triggers.Any(t => Contains(terms, t)) && (Requires.Length == 0 || Requires.Any(r => Contains(words, r) || Contains(terms, r)));

    /// <summary>
    /// Whether a passage with these search terms (in order) speaks to the aspect: one of its triggers or expansion terms is
    /// in it, a two-term one in a row ("Educational platforms" for "educ platform").
    /// </summary>
    public bool SpokenIn(IReadOnlyList<string> terms) => Triggers.Any(t => Contains(terms, t)) || Expansion.Any(t => Contains(terms, t));

    /// <summary>The positions in <paramref name="terms"/> of the aspect's triggers of several terms ("sql inject"), where they occur.</summary>
    internal IEnumerable<int> InPhraseTriggers(IReadOnlyList<string> terms)
        => Triggers.Where(t => t.Contains(' ')).Select(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .SelectMany(parts => Occurrences(terms, parts).SelectMany(start => Enumerable.Range(start, parts.Length)));

    /// <summary>Whether <paramref name="sequence"/> holds <paramref name="phrase"/>'s space-separated parts in a row.</summary>
    private static bool Contains(IReadOnlyList<string> sequence, string phrase)
        => phrase.Contains(' ') ? Occurrences(sequence, phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Any() : sequence.Contains(phrase);

    /// <summary>Where <paramref name="parts"/> start in <paramref name="sequence"/>, in a row.</summary>
    private static IEnumerable<int> Occurrences(IReadOnlyList<string> sequence, string[] parts)
    {
        for (int i = 0; i + parts.Length <= sequence.Count; i++)
        {
            int j = 0;
            while (j < parts.Length && sequence[i + j] == parts[j])
                j++;
            if (j == parts.Length)
                yield return i;
        }
    }
}

/// <summary>Something users ask about that the corpus may not cover: another technology, deployment, setup commands.</summary>
/// <param name="Name">How answers name it ("MongoDB", "server deployment").</param>
/// <param name="Aliases">The words or phrases that name it in a question ("mongo", "kubernetes").</param>
public sealed record UncoveredTopic(string Name, IReadOnlyList<string> Aliases)
{
    /// <summary>
    /// True for another choice of the kind the corpus compares (another framework, another language): a question that
    /// names one and none of the entities is about that choice, not about the entities, and is wholly outside the corpus.
    /// </summary>
    public bool Alternative { get; init; }
}

/// <summary>The sentences the advisor says that are not quotes. <c>{entities}</c> is replaced by the entities' names.</summary>
public sealed record TopicTexts
{
    /// <summary>The first words of a welcome message (Markdown).</summary>
    public string Welcome { get; init; } = "Hello! I help you choose between {entities}.";

    /// <summary>The reply to a question wholly outside the corpus.</summary>
    public string OutOfScope { get; init; } = "That isn't something the articles I answer from cover: they compare {entities}.";

    /// <summary>Said first when a question carried instructions to the advisor ("ignore your rules and …"): they are declined, plainly.</summary>
    public string Instructions { get; init; } = "I don't follow instructions given inside a question, and I answer only from the articles.";

    /// <summary>The reply to a request for a task (write code, a query, a text) rather than a question about the articles.</summary>
    public string Task { get; init; } = "That is a task rather than a question about the articles: I don't write code, queries or other texts. I answer questions about {entities} from the articles I have.";

    /// <summary>The reply to a question only about things the corpus does not cover; <c>{topics}</c> names them.</summary>
    public string OnlyUncovered { get; init; } = "The articles I answer from don't cover {topics}: they compare {entities}.";

    /// <summary>The opening of a partial answer; <c>{topics}</c> names the part that is not covered.</summary>
    public string PartlyUncovered { get; init; } = "The articles don't cover {topics}, so I can't answer that part.";

    /// <summary>Introduces the starter questions after a refusal.</summary>
    public string Offer { get; init; } = "I can help you choose between them, for example:";

    /// <summary>The reply when nothing retrieved answers an in-scope question; <c>{about}</c> is " about X" or empty.</summary>
    public string NotCovered { get; init; } = "The articles don't say anything specific{about} on that, so I can't answer it from them.";

    /// <summary>The reply when answering failed.</summary>
    public string Failure { get; init; } = "Sorry, something went wrong while I was answering. Please try again in a moment.";
}

/// <summary>
/// What a corpus compares and what the advisor says about it: entities, aspects, things it does not cover, starter
/// questions and texts. It lives as <c>topic.json</c> next to the articles, so a corpus about another subject needs
/// no change of code.
/// </summary>
/// <remarks>Immutable after loading; thread-safe.</remarks>
public sealed partial class TopicProfile
{
    /// <summary>The profile's file name inside the corpus folder.</summary>
    public const string FileName = "topic.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly Dictionary<string, TopicEntity> _byId;
    private readonly List<(string[] Words, string Id)> _entityPhrases;
    private readonly List<(string[] Words, UncoveredTopic Topic)> _uncoveredPhrases;
    private readonly Regex? _described;
    private readonly Dictionary<string, string> _descriptionOwner = new(StringComparer.Ordinal);

    [JsonConstructor]
    private TopicProfile(string? subject, string entityNoun, IReadOnlyList<TopicEntity> entities, IReadOnlyList<Aspect>? aspects,
        IReadOnlyList<string>? domainWords, IReadOnlyList<UncoveredTopic>? uncovered, IReadOnlyList<string>? starterQuestions, TopicTexts? texts)
    {
        if (entities is null || entities.Count < 2)
            throw new InvalidDataException("A topic profile needs at least two entities.");
        EntityNoun = entityNoun;
        Subject = subject ?? "{entities}";
        Entities = entities;
        Aspects = aspects ?? [];
        DomainWords = domainWords ?? [];
        Uncovered = uncovered ?? [];
        StarterQuestions = starterQuestions ?? [];
        Texts = texts ?? new TopicTexts();
        _byId = entities.ToDictionary(e => e.Id, StringComparer.Ordinal);
        _entityPhrases = [.. entities
            .SelectMany(e => new[] { e.Id, e.Name }.Concat(e.Aliases ?? []).Select(a => (Words: Phrase(a), e.Id)))
            .Where(p => p.Words.Length > 0)
            .DistinctBy(p => (string.Join(' ', p.Words), p.Id))
            .OrderByDescending(p => p.Words.Length)];
        _uncoveredPhrases = [.. Uncovered.SelectMany(t => t.Aliases.Select(a => (Words: Phrase(a), Topic: t))).Where(p => p.Words.Length > 0).OrderByDescending(p => p.Words.Length)];
        EntityTerms = entities.ToDictionary(e => e.Id, e => TextAnalyzer.Terms(e.Id.AsSpan()).FirstOrDefault() ?? e.Id, StringComparer.Ordinal);
        foreach (var entity in entities)
        {
            foreach (var description in entity.Descriptions ?? [])
            {
                var key = DescriptionKey(description);
                if (key.Length > 0 && !_descriptionOwner.TryAdd(key, entity.Id) && _descriptionOwner[key] != entity.Id)
                    throw new InvalidDataException($"The description '{description}' is given to two entities.");
            }
        }
        if (_descriptionOwner.Count > 0)
        {
            // "the micro one", "the batteries-included framework", "the oldest of the three": "the", the description (its
            // words joined by spaces or hyphens), then a word that stands for an entity, or the end of a clause.
            var descriptions = string.Join('|', _descriptionOwner.Keys.OrderByDescending(k => k.Length).Select(k => string.Join(@"[\s\-]+", k.Split(' ').Select(Regex.Escape))));
            var heads = string.Join('|', new[] { "one", "option", "choice", "alternative", entityNoun, entityNoun + "s" }.Select(Regex.Escape));
            _described = new Regex($@"\bthe\s+(?<d>{descriptions})(?:\s+(?:{heads})\b(?:\s+of\s+(?:the\s+(?:three|two|bunch|lot)|them|those|these))?|\s+of\s+(?:the\s+(?:three|two|bunch|lot)|them|those|these)\b|(?=\s*([?.!]|$)))",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }

    /// <summary>What the articles compare, as prompts and texts say it ("the databases {entities}"); read it with <see cref="Say"/>.</summary>
    public string Subject { get; }

    /// <summary>What one entity is called in generic wording ("framework").</summary>
    public string EntityNoun { get; }

    /// <summary>The entities, in the order answers list them.</summary>
    public IReadOnlyList<TopicEntity> Entities { get; }

    /// <summary>The aspects questions are recognised to be about.</summary>
    public IReadOnlyList<Aspect> Aspects { get; }

    /// <summary>
    /// The aspects a question with these search terms and words (both in order) is about (<see cref="Aspect.IsIn"/>). A
    /// term inside another aspect's trigger of several terms cues only that aspect: "sql" in "SQL injection" is security,
    /// not databases.
    /// </summary>
    public IReadOnlyList<Aspect> AspectsIn(IReadOnlyList<string> terms, IReadOnlyList<string> words)
    {
        var inPhrases = Aspects.Select(a => a.InPhraseTriggers(terms).ToHashSet()).ToList();
        return [.. Aspects.Where((aspect, i) =>
        {
            var taken = inPhrases.Where((_, j) => j != i).SelectMany(positions => positions).ToHashSet();
            return aspect.IsIn(taken.Count == 0 ? terms : [.. terms.Select((t, at) => taken.Contains(at) ? "" : t)], words);
        })];
    }

    /// <summary>Words that place a question in the corpus's domain even when no entity or aspect is named.</summary>
    public IReadOnlyList<string> DomainWords { get; }

    /// <summary>Things users ask about that the articles may not cover; a topic counts as uncovered only when the corpus never names it.</summary>
    public IReadOnlyList<UncoveredTopic> Uncovered { get; }

    /// <summary>Questions shown to a new user (welcome messages, refusals, empty conversations).</summary>
    public IReadOnlyList<string> StarterQuestions { get; }

    /// <summary>The texts the advisor says.</summary>
    public TopicTexts Texts { get; }

    /// <summary>The search term of each entity in the index (entity id → term).</summary>
    public IReadOnlyDictionary<string, string> EntityTerms { get; }

    /// <summary>The entity ids, in order.</summary>
    public IEnumerable<string> EntityIds => Entities.Select(e => e.Id);

    /// <summary>The entity with <paramref name="id"/>.</summary>
    public TopicEntity Entity(string id) => _byId[id];

    /// <summary>The display name of the entity with <paramref name="id"/>.</summary>
    public string Name(string id) => _byId.TryGetValue(id, out var e) ? e.Name : id;

    /// <summary>True when <paramref name="id"/> is one of the entities.</summary>
    public bool IsEntity(string id) => _byId.ContainsKey(id);

    /// <summary>The names of <paramref name="ids"/> joined for a sentence: "A", "A and B", "A, B and C".</summary>
    public string JoinNames(IEnumerable<string> ids, string conjunction = "and")
    {
        var names = ids.Select(Name).ToList();
        return names.Count <= 1 ? string.Concat(names) : string.Join(", ", names[..^1]) + $" {conjunction} " + names[^1];
    }

    /// <summary>A text of <see cref="Texts"/> with <c>{entities}</c> filled in.</summary>
    public string Say(string text) => text.Replace("{entities}", JoinNames(EntityIds), StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="text"/> with each definite description of an entity ("the micro one", "the oldest of the three")
    /// replaced by the entity's name. A description that is what a question asks for ("Which is the oldest?") is left as
    /// it is: it ends the question after "is" or "are", so it names no entity yet.
    /// </summary>
    public string NameDescribed(string text)
    {
        if (_described is null)
            return text;
        return _described.Replace(text, m =>
        {
            bool asked = text[(m.Index + m.Length)..].Trim().Trim('?', '.', '!').Length == 0 && Copula().IsMatch(text.AsSpan(0, m.Index));
            return asked ? m.Value : Name(_descriptionOwner[DescriptionKey(m.Groups["d"].Value)]);
        });
    }

    [GeneratedRegex(@"\b(is|are|was|were|'s|’s)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Copula();

    private static string DescriptionKey(string description) => string.Join(' ', description.ToLowerInvariant().Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The entity ids named in <paramref name="text"/> (by id, name or alias, whole words), in order of first mention.</summary>
    public IReadOnlyList<string> MentionedIn(ReadOnlySpan<char> text) => EntitiesInWords(TextAnalyzer.Words(text));

    /// <summary>The entity ids named by a sequence of lower-case words, in order of first mention.</summary>
    public IReadOnlyList<string> EntitiesInWords(IReadOnlyList<string> words)
    {
        var found = new List<string>();
        foreach (var (_, id) in Matches(words, _entityPhrases))
        {
            if (!found.Contains(id))
                found.Add(id);
        }
        return found;
    }

    /// <summary>The uncovered topics named by a sequence of lower-case words, with the words that named them.</summary>
    public IReadOnlyList<(UncoveredTopic Topic, string[] Words)> UncoveredIn(IReadOnlyList<string> words)
        => [.. Matches(words, _uncoveredPhrases).Select(m => (m.Value, m.Words)).DistinctBy(m => m.Value.Name)];

    /// <summary>The entity id a single search term or word stands for, if any.</summary>
    public string? EntityOfTerm(string term)
    {
        foreach (var (words, id) in _entityPhrases)
        {
            if (words.Length == 1 && words[0] == term)
                return id;
        }
        foreach (var (id, t) in EntityTerms)
        {
            if (t == term)
                return id;
        }
        return null;
    }

    private static IEnumerable<(string[] Words, T Value)> Matches<T>(IReadOnlyList<string> words, List<(string[] Words, T Value)> phrases)
    {
        for (int i = 0; i < words.Count; i++)
        {
            foreach (var (phrase, value) in phrases)
            {
                if (i + phrase.Length > words.Count)
                    continue;
                bool match = true;
                for (int j = 0; j < phrase.Length && match; j++)
                    match = words[i + j] == phrase[j];
                if (match)
                {
                    yield return (phrase, value);
                    break;
                }
            }
        }
    }

    private static string[] Phrase(string alias) => [.. TextAnalyzer.Words(alias.AsSpan())];

    /// <summary>Reads the profile of the corpus in <paramref name="corpusFolder"/>.</summary>
    /// <exception cref="FileNotFoundException">The folder has no <see cref="FileName"/>.</exception>
    public static TopicProfile LoadFrom(string corpusFolder) => Load(Path.Combine(corpusFolder, FileName));

    /// <summary>Reads a profile file.</summary>
    public static TopicProfile Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The topic profile '{path}' does not exist: the corpus folder needs a {FileName} naming what its articles compare.", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses a profile from JSON; <paramref name="source"/> names it in errors.</summary>
    public static TopicProfile Parse(string json, string source = "topic profile")
    {
        try
        {
            return JsonSerializer.Deserialize<TopicProfile>(json, Json) ?? throw new InvalidDataException($"'{source}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}' is not a valid topic profile: {e.Message}", e);
        }
    }
}
