namespace ChatAdvisor.Core.Retrieval;

/// <summary>
/// Corrects misspelt query words against the words the corpus uses ("framwork" → framework, "admn" → admin,
/// "wich" → which): a word that is not known is replaced by the known word at the smallest
/// Damerau–Levenshtein distance (1 for words up to 7 letters, 2 for longer ones), the most frequent on ties. A word of
/// the language that the corpus happens not to use ("shop", "novice") is left as typed: it is not a misspelling of a
/// corpus word that looks like it ("show").
/// </summary>
/// <remarks>Immutable after construction; thread-safe.</remarks>
public sealed class SpellingCorrector
{
    private readonly Dictionary<string, int> _frequency;
    private readonly Dictionary<int, List<string>> _byLength = [];
    private readonly IReadOnlySet<string>? _language;

    /// <summary>
    /// Creates a corrector that knows <paramref name="frequency"/>'s words (word → how many chunks use it) and leaves the
    /// words of <paramref name="language"/> (lower-case everyday words, such as an embedding model's vocabulary) as typed.
    /// </summary>
    public SpellingCorrector(IReadOnlyDictionary<string, int> frequency, IReadOnlySet<string>? language = null)
    {
        _language = language;
        _frequency = new Dictionary<string, int>(frequency, StringComparer.Ordinal);
        foreach (var word in TextAnalyzer.StopWords.Concat(TextAnalyzer.AliasWords))
            _frequency.TryAdd(word, 1);
        foreach (var word in _frequency.Keys)
        {
            if (!_byLength.TryGetValue(word.Length, out var list))
                _byLength[word.Length] = list = [];
            list.Add(word);
        }
    }

    /// <summary>The words the corrector knows, with their frequencies.</summary>
    public IReadOnlyDictionary<string, int> Vocabulary => _frequency;

    /// <summary>True when <paramref name="word"/> is a known word.</summary>
    public bool IsKnown(string word) => _frequency.ContainsKey(word);

    /// <summary>True when <paramref name="word"/> (lower-case) is a known word or a word of the language.</summary>
    public bool IsWord(string word) => IsKnown(word) || _language?.Contains(word) == true;

    /// <summary>The corrected word, or <paramref name="word"/> itself when it is known, short, numeric or has no close match.</summary>
    public string Correct(string word)
    {
        if (word.Length < 4)
            return word;
        if (IsWord(word) || word.Any(char.IsDigit))
            return word;

        int maxDistance = word.Length <= 7 ? 1 : 2;
        string? best = null;
        int bestDistance = int.MaxValue, bestKind = int.MaxValue, bestFrequency = -1;
        for (int length = word.Length - maxDistance; length <= word.Length + maxDistance; length++)
        {
            if (!_byLength.TryGetValue(length, out var candidates))
                continue;
            foreach (var candidate in candidates)
            {
                int distance = Distance(word, candidate, maxDistance);
                if (distance > maxDistance)
                    continue;
                int frequency = _frequency[candidate];
                int kind = EditKind(word, candidate);
                if (distance < bestDistance || (distance == bestDistance && (kind < bestKind || (kind == bestKind && (frequency > bestFrequency || (frequency == bestFrequency && string.CompareOrdinal(candidate, best) < 0))))))
                {
                    best = candidate;
                    bestDistance = distance;
                    bestKind = kind;
                    bestFrequency = frequency;
                }
            }
        }
        return best ?? word;
    }

    // Typists drop letters more often than they swap, mistype or add them: prefer corrections in that order.
    private static int EditKind(string typed, string candidate)
    {
        if (candidate.Length > typed.Length)
            return 0;
        if (candidate.Length == typed.Length)
            return typed.Order().SequenceEqual(candidate.Order()) ? 1 : 2;
        return 3;
    }

    /// <summary>Optimal-string-alignment distance (adjacent transpositions count 1), cut off above <paramref name="limit"/>.</summary>
    internal static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
            return limit + 1;
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            int rowMin = current[0];
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    value = Math.Min(value, previous2[j - 2] + 1);
                current[j] = value;
                rowMin = Math.Min(rowMin, value);
            }
            if (rowMin > limit)
                return limit + 1;
            (previous2, previous, current) = (previous, current, previous2);
        }
        return previous[b.Length];
    }
}
