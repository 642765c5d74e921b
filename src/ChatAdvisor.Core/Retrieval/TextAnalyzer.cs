using System.Globalization;
using System.Text;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>
/// Turns text into search terms, the same way for articles and questions: lower-case, accents removed,
/// words split, multi-word aliases folded into one canonical term ("admin dashboard" → admin,
/// "machine learning" → ml), stop words dropped, the rest stemmed (Porter).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class TextAnalyzer
{
    /// <summary>English function words and question words that carry no topic.</summary>
    public static readonly IReadOnlySet<string> StopWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
        "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
        "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
        "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
        "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some",
        "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
        "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
        "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
        "yourselves", "s", "t", "don", "also", "may", "might", "must", "shall", "us", "let", "lets", "one", "ones",
        "tell", "please", "want", "need", "know", "think", "thing", "things", "use", "using", "used", "go", "get",
        "really", "much", "many", "well", "like", "whether", "either", "via", "etc", "e", "g", "ie", "eg", "vs", "versus",
        "re", "ll", "ve", "d", "m",
    };

    // Phrases (as word sequences) and the canonical term they fold into. Longest phrases are matched first.
    private static readonly Dictionary<string, string[]> Aliases = new(StringComparer.Ordinal)
    {
        ["admin"] = ["admin"],
        ["admin dashboard"] = ["admin"],
        ["admin dashboards"] = ["admin"],
        ["admin panel"] = ["admin"],
        ["admin panels"] = ["admin"],
        ["admin interface"] = ["admin"],
        ["admin site"] = ["admin"],
        ["admin ui"] = ["admin"],
        ["administration panel"] = ["admin"],
        ["administration interface"] = ["admin"],
        ["administrative"] = ["admin"],
        ["orm"] = ["orm"],
        ["orms"] = ["orm"],
        ["object relational mapper"] = ["orm"],
        ["object relational mapping"] = ["orm"],
        ["machine learning"] = ["ml"],
        ["ml"] = ["ml"],
        ["ai"] = ["ml"],
        ["artificial intelligence"] = ["ml"],
        ["async"] = ["async"],
        ["asynchronous"] = ["async"],
        ["asynchronously"] = ["async"],
        ["async await"] = ["async"],
        ["asyncio"] = ["async"],
        ["asynchronous first"] = ["async"],
        ["micro framework"] = ["microframework"],
        ["microframework"] = ["microframework"],
        ["micro services"] = ["microservice"],
        ["microservices"] = ["microservice"],
        ["microservice"] = ["microservice"],
        ["e commerce"] = ["ecommerce"],
        ["ecommerce"] = ["ecommerce"],
        ["real time"] = ["realtime"],
        ["realtime"] = ["realtime"],
        ["open api"] = ["openapi"],
        ["openapi"] = ["openapi"],
        ["db"] = [PorterStemmer.Stem("database")],
        ["dbs"] = [PorterStemmer.Stem("database")],
        ["docs"] = [PorterStemmer.Stem("documentation")],
        ["auth"] = [PorterStemmer.Stem("authentication")],
        ["rest api"] = ["rest", "api"],
        ["restful"] = ["rest"],
        ["restful api"] = ["rest", "api"],
        ["graph ql"] = ["graphql"],
        ["batteries included"] = [PorterStemmer.Stem("batteries"), PorterStemmer.Stem("included")],
    };

    private static readonly int MaxAliasWords = Aliases.Keys.Max(k => k.Split(' ').Length);

    /// <summary>The canonical terms aliases produce; they are not stemmed again.</summary>
    private static readonly HashSet<string> CanonicalTerms = [.. Aliases.Values.SelectMany(v => v)];

    /// <summary>Words that appear in alias phrases, so spelling correction knows them.</summary>
    public static IEnumerable<string> AliasWords => Aliases.Keys.SelectMany(k => k.Split(' '));

    /// <summary>Splits text into lower-case, accent-free words (letters and digits).</summary>
    public static List<string> Words(ReadOnlySpan<char> text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (char raw in text)
        {
            if (raw < 128)
            {
                // ASCII fast path: no allocation.
                if (char.IsAsciiLetterOrDigit(raw))
                {
                    current.Append(char.ToLowerInvariant(raw));
                }
                else if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }
                continue;
            }
            foreach (char c in Fold(raw))
            {
                if (char.IsLetterOrDigit(c))
                {
                    current.Append(c);
                }
                else if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }
            }
        }
        if (current.Length > 0)
            words.Add(current.ToString());
        return words;
    }

    /// <summary>The search terms of <paramref name="text"/>.</summary>
    public static List<string> Terms(ReadOnlySpan<char> text) => TermsOfWords(Words(text));

    /// <summary>The search terms of already split (and possibly spelling-corrected) words.</summary>
    public static List<string> TermsOfWords(IReadOnlyList<string> words)
    {
        var terms = new List<string>(words.Count);
        int i = 0;
        while (i < words.Count)
        {
            bool matched = false;
            for (int n = Math.Min(MaxAliasWords, words.Count - i); n >= 1; n--)
            {
                var phrase = n == 1 ? words[i] : string.Join(' ', words.Skip(i).Take(n));
                if (Aliases.TryGetValue(phrase, out var canonical))
                {
                    terms.AddRange(canonical);
                    i += n;
                    matched = true;
                    break;
                }
            }
            if (matched)
                continue;
            var word = words[i++];
            if (!StopWords.Contains(word))
                terms.Add(Normalize(word));
        }
        return terms;
    }

    /// <summary>The term of one word that is not part of an alias: its Porter stem.</summary>
    public static string Normalize(string word) => CanonicalTerms.Contains(word) ? word : PorterStemmer.Stem(word);

    // Lower-cases and strips accents from one character ("É" → "e"; "’" → "'").
    private static string Fold(char c)
    {
        // Half of a surrogate pair cannot be normalised on its own (and is no letter with an accent).
        if (c < 128 || char.IsSurrogate(c))
            return char.ToLowerInvariant(c).ToString();
        var decomposed = char.ToLowerInvariant(c).ToString().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (char d in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(d) != UnicodeCategory.NonSpacingMark)
                sb.Append(d);
        }
        return sb.ToString();
    }
}
