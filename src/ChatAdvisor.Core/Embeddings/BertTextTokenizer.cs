using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>
/// The tokenizer of BERT-family models: Hugging Face's BERT normalisation and pre-tokenisation done here, the WordPiece
/// step by ML.Tokenizers' <see cref="WordPieceTokenizer"/>.
/// </summary>
/// <remarks>
/// <para>
/// Why not ML.Tokenizers' <see cref="BertTokenizer"/> end to end: against @huggingface/transformers on the 2,100 texts of
/// the golden file it differs on 1,369 of them. It drops symbols such as "€", "→", "+" and emoji instead of keeping them
/// (as a token or [UNK]), does not decompose "café" before stripping accents (so it becomes [UNK]), keeps "_" inside words,
/// matches special tokens after lower-casing (so "[sep]" becomes [SEP]), and has no final-sigma rule. The steps below
/// follow Hugging Face's BertNormalizer and BertPreTokenizer, which the models were trained with; the parity tests hold
/// them to it.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class BertTextTokenizer
{
    // Hugging Face's BERT special tokens are matched on the raw text, case-sensitively, before any normalisation.
    private static readonly string[] SpecialTokens = ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]"];

    private const int MaxCharsPerWord = 100;

    private readonly WordPieceTokenizer _wordPiece;
    private readonly Dictionary<string, int> _special;

    private BertTextTokenizer(WordPieceTokenizer wordPiece, Dictionary<string, int> special, bool lowercase, IReadOnlySet<string> wholeWords)
    {
        _wordPiece = wordPiece;
        _special = special;
        Lowercase = lowercase;
        WholeWords = wholeWords;
    }

    /// <summary>
    /// The vocabulary's whole-word tokens of two or more letters, lower-cased ("shop", "novice"; not "##ing" pieces or
    /// special tokens): a list of the everyday words of the language the model was trained on.
    /// </summary>
    public IReadOnlySet<string> WholeWords { get; }

    /// <summary>Whether text is lower-cased and stripped of accents (uncased models).</summary>
    public bool Lowercase { get; }

    /// <summary>The id of [CLS], which starts every sequence.</summary>
    public int ClassificationTokenId => _special["[CLS]"];

    /// <summary>The id of [SEP], which ends every sequence.</summary>
    public int SeparatorTokenId => _special["[SEP]"];

    /// <summary>The id of [UNK].</summary>
    public int UnknownTokenId => _wordPiece.UnknownTokenId;

    /// <summary>Creates the tokenizer over a vocab.txt (one token per line, in id order).</summary>
    /// <exception cref="InvalidDataException">The vocabulary lacks a BERT special token.</exception>
    public static BertTextTokenizer Create(string vocabulary, bool lowercase)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var lines = vocabulary.Split('\n');
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        var words = new HashSet<string>(StringComparer.Ordinal);
        for (var id = 0; id < lines.Length; id++)
        {
            var token = lines[id].TrimEnd('\r');
            if (Array.IndexOf(SpecialTokens, token) >= 0)
                special[token] = id;
            else if (token.Length >= 2 && token.All(char.IsLetter))
                words.Add(token.ToLowerInvariant());
        }
        var missing = SpecialTokens.Where(t => !special.ContainsKey(t)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"The vocabulary lacks the BERT special tokens {string.Join(", ", missing)}.");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(vocabulary));
        // Words arrive one at a time, already normalised and split (a word of 100 code points may take 200 UTF-16 units).
        var wordPiece = WordPieceTokenizer.Create(stream, new WordPieceOptions { PreTokenizer = PreTokenizer.CreateWhiteSpace(), MaxInputCharsPerWord = 2 * MaxCharsPerWord });
        return new BertTextTokenizer(wordPiece, special, lowercase, words.ToFrozenSet(StringComparer.Ordinal));
    }

    /// <summary>The ids of <paramref name="text"/>, without [CLS] and [SEP] around them.</summary>
    public List<int> EncodeToIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var start = 0;
        while (start <= text.Length)
        {
            var (at, token) = NextSpecial(text, start);
            var end = at < 0 ? text.Length : at;
            if (end > start)
            {
                foreach (var word in Normalize(text.AsSpan(start, end - start)))
                    AddWord(word, ids);
            }
            if (at < 0)
                break;
            ids.Add(_special[token!]);
            start = at + token!.Length;
        }
        return ids;
    }

    // Hugging Face's WordPiece: a word that cannot be split entirely into vocabulary pieces, or that is longer than
    // 100 characters, is one [UNK] (ML.Tokenizers keeps the pieces it found and adds an [UNK] for the rest).
    private void AddWord(string word, List<int> ids)
    {
        if (word.EnumerateRunes().Count() > MaxCharsPerWord)
        {
            ids.Add(UnknownTokenId);
            return;
        }
        var pieces = _wordPiece.EncodeToIds(word);
        if (pieces.Contains(UnknownTokenId))
            ids.Add(UnknownTokenId);
        else
            ids.AddRange(pieces);
    }

    /// <summary>The number of ids <paramref name="text"/> encodes to, without [CLS] and [SEP].</summary>
    public int CountTokens(string text) => EncodeToIds(text).Count;

    private static (int At, string? Token) NextSpecial(string text, int start)
    {
        var best = (At: -1, Token: (string?)null);
        foreach (var token in SpecialTokens)
        {
            var at = text.IndexOf(token, start, StringComparison.Ordinal);
            if (at >= 0 && (best.At < 0 || at < best.At))
                best = (at, token);
        }
        return best;
    }

    /// <summary>
    /// BertNormalizer and BertPreTokenizer: control characters dropped, whitespace unified, CJK ideographs and punctuation
    /// set apart as words of their own, accents stripped (NFD, then no non-spacing marks) and text lower-cased for uncased
    /// models. Returns the words.
    /// </summary>
    internal string[] Normalize(ReadOnlySpan<char> text)
    {
        var cleaned = new StringBuilder(text.Length + 16);
        foreach (var rune in text.EnumerateRunes())
        {
            var value = rune.Value;
            if (value is 0 or 0xFFFD)
                continue;
            if (value is '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator)
            {
                cleaned.Append(' ');
                continue;
            }
            if (IsControl(rune))
                continue;
            if (IsCjk(value))
                cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            else
                cleaned.Append(rune.ToString());
        }

        var normalized = cleaned.ToString();
        if (Lowercase)
        {
            normalized = LowerCase(normalized.Normalize(NormalizationForm.FormD));
            normalized = StripMarks(normalized);
        }

        var words = new StringBuilder(normalized.Length + 16);
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (IsPunctuation(rune))
                words.Append(' ').Append(rune.ToString()).Append(' ');
            else
                words.Append(rune.ToString());
        }
        return words.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    // Python's str.lower(), which the reference follows: the invariant lower case, except that a capital sigma at the end
    // of a word (a cased letter before it, none after it) becomes the final form ς.
    private static string LowerCase(string text)
    {
        var lower = text.ToLowerInvariant().ToCharArray();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != 'Σ')
                continue;
            var casedBefore = i > 0 && IsCased(text, i - 1, -1);
            var casedAfter = i + 1 < text.Length && IsCased(text, i + 1, +1);
            if (casedBefore && !casedAfter)
                lower[i] = 'ς';
        }
        return new string(lower);
    }

    // Whether the nearest character in direction step that is not case-ignorable is a cased letter. Case-ignorable, as
    // Unicode defines it: marks, format characters, modifier letters and symbols, and the in-word punctuation . : ' ’ ·
    private static bool IsCased(string text, int i, int step)
    {
        for (; i >= 0 && i < text.Length; i += step)
        {
            var c = text[i];
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
                or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
                || c is '\'' or '.' or ':' or '\u00B7' or '\u0387' or '\u2018' or '\u2019' or '\u2024' or '\u2027'
                    or '\uFE13' or '\uFE52' or '\uFE55' or '\uFF07' or '\uFF0E' or '\uFF1A')
            {
                continue;
            }
            return category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;
        }
        return false;
    }

    private static string StripMarks(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
                result.Append(rune.ToString());
        }
        return result.ToString();
    }

    // Control and format characters (categories Cc, Cf, Co, Cs, Cn) are dropped; tab, newline and carriage return count as
    // whitespace and were handled before.
    private static bool IsControl(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;

    // All non-letter, non-digit ASCII is punctuation for BERT ("$", "+", "^", "`" included), and so is every Unicode P*.
    private static bool IsPunctuation(Rune rune)
    {
        var value = rune.Value;
        if (value is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
            return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    // The CJK Unified Ideographs blocks of the Basic Multilingual Plane (not Hiragana, Katakana or Hangul, which are split
    // like any other letters). Ideographs beyond it (extensions B and later) stay inside their word, as the reference
    // tokenizer, @huggingface/transformers, does: it tests UTF-16 code units, which never fall in those ranges.
    private static bool IsCjk(int value) => value is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0xF900 and <= 0xFAFF;
}
