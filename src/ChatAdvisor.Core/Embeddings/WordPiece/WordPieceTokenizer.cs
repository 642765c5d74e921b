using System.Buffers;
using System.Globalization;
using System.Text;
using ChatAdvisor.Core.Chunking;

namespace ChatAdvisor.Core.Embeddings.WordPiece;

/// <summary>Where a token came from in the original text, in UTF-16 code units. Special tokens added by the tokenizer have length 0.</summary>
public readonly record struct TokenOffset(int Start, int Length)
{
    /// <summary>One past the last code unit.</summary>
    public int End => Start + Length;
}

/// <summary>The token ids of one text, starting with [CLS] and ending with [SEP], and where each token came from.</summary>
public sealed record TokenizedText(int[] Ids, TokenOffset[] Offsets)
{
    /// <summary>The number of tokens including [CLS] and [SEP].</summary>
    public int Count => Ids.Length;
}

/// <summary>
/// The WordPiece tokenizer of BERT models: BERT's text normalisation (control characters dropped, whitespace
/// unified, CJK ideographs split apart, and for uncased vocabularies lower-casing and accent stripping), splitting
/// on whitespace and punctuation, then greedy longest-match-first sub-words with "##" continuations. A word that
/// cannot be split, or is longer than <see cref="MaxInputCharsPerWord"/> code points, becomes [UNK].
/// Special-token strings written in the text ("[SEP]") are kept as those tokens, as Hugging Face tokenizers do.
/// </summary>
/// <remarks>Immutable after construction and thread-safe.</remarks>
public sealed class WordPieceTokenizer : ITokenCounter
{
    private const string ContinuationPrefix = "##";
    private static readonly string[] SpecialTokenNames = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    private readonly Dictionary<string, int> _words;
    private readonly Dictionary<string, int> _continuations;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuationLookup;
    private readonly (string Text, int Id)[] _specialTokens;

    /// <summary>Creates a tokenizer over <paramref name="vocabulary"/>, where a token's id is its index.</summary>
    /// <param name="vocabulary">The tokens in id order, as in a BERT vocab.txt; must contain [UNK], [CLS] and [SEP].</param>
    /// <param name="lowercase">True for uncased models: lower-case and strip accents before splitting.</param>
    /// <param name="maxInputCharsPerWord">Words longer than this many code points become [UNK].</param>
    public WordPieceTokenizer(IReadOnlyList<string> vocabulary, bool lowercase = true, int maxInputCharsPerWord = 100)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInputCharsPerWord, 1);
        _words = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        _continuations = new Dictionary<string, int>(vocabulary.Count / 4, StringComparer.Ordinal);
        for (var id = 0; id < vocabulary.Count; id++)
        {
            var token = vocabulary[id];
            _words.TryAdd(token, id);
            if (token.Length > ContinuationPrefix.Length && token.StartsWith(ContinuationPrefix, StringComparison.Ordinal))
                _continuations.TryAdd(token[ContinuationPrefix.Length..], id);
        }
        _wordLookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuationLookup = _continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        UnknownId = RequiredId("[UNK]");
        ClsId = RequiredId("[CLS]");
        SepId = RequiredId("[SEP]");
        PadId = _words.GetValueOrDefault("[PAD]", 0);
        _specialTokens = [.. SpecialTokenNames.Where(_words.ContainsKey).Select(name => (name, _words[name]))];
        Lowercase = lowercase;
        MaxInputCharsPerWord = maxInputCharsPerWord;
        VocabularySize = vocabulary.Count;
    }

    /// <summary>Reads a BERT vocab.txt (one token per line, the line number is the id).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist; the message names it.</exception>
    public static WordPieceTokenizer FromVocabularyFile(string path, bool lowercase = true, int maxInputCharsPerWord = 100)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The WordPiece vocabulary {path} does not exist.", path);
        return new WordPieceTokenizer(File.ReadAllLines(path), lowercase, maxInputCharsPerWord);
    }

    /// <summary>True when text is lower-cased and stripped of accents before splitting (uncased models).</summary>
    public bool Lowercase { get; }

    /// <summary>Words longer than this many code points become [UNK].</summary>
    public int MaxInputCharsPerWord { get; }

    /// <summary>The number of tokens in the vocabulary.</summary>
    public int VocabularySize { get; }

    /// <summary>The id of [UNK].</summary>
    public int UnknownId { get; }

    /// <summary>The id of [CLS], the first token of every encoded text.</summary>
    public int ClsId { get; }

    /// <summary>The id of [SEP], the last token of every encoded text.</summary>
    public int SepId { get; }

    /// <summary>The id of [PAD] (0 when the vocabulary has none).</summary>
    public int PadId { get; }

    /// <summary>
    /// Encodes <paramref name="text"/> as [CLS] tokens… [SEP], keeping at most <paramref name="maxTokens"/> tokens in
    /// all: when the text is longer, its first <paramref name="maxTokens"/> − 2 tokens are kept.
    /// </summary>
    public TokenizedText Encode(string text, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        var sink = new TokenSink(maxTokens - 2, withOffsets: true);
        Tokenize(text, sink);
        var ids = new int[sink.Ids.Count + 2];
        var offsets = new TokenOffset[ids.Length];
        ids[0] = ClsId;
        sink.Ids.CopyTo(ids, 1);
        sink.Offsets!.CopyTo(offsets, 1);
        ids[^1] = SepId;
        offsets[^1] = new TokenOffset(text.Length, 0);
        return new TokenizedText(ids, offsets);
    }

    /// <summary>The number of tokens <paramref name="text"/> encodes to, without [CLS] and [SEP].</summary>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        var sink = new TokenSink(int.MaxValue, withOffsets: false);
        Tokenize(text, sink);
        return sink.Ids.Count;
    }

    private int RequiredId(string token) => _words.TryGetValue(token, out var id)
        ? id
        : throw new ArgumentException($"The vocabulary has no {token} token.", "vocabulary");

    private void Tokenize(ReadOnlySpan<char> text, TokenSink sink)
    {
        // Special-token strings split the text first and are never normalised.
        var segmentStart = 0;
        for (var i = text.IndexOf('['); i >= 0 && i < text.Length; i = NextBracket(text, i + 1))
        {
            foreach (var (special, id) in _specialTokens)
            {
                if (!text[i..].StartsWith(special, StringComparison.Ordinal))
                    continue;
                TokenizeSegment(text[segmentStart..i], segmentStart, sink);
                sink.Add(id, new TokenOffset(i, special.Length));
                segmentStart = i + special.Length;
                i = segmentStart - 1;
                break;
            }
            if (sink.IsFull)
                return;
        }
        TokenizeSegment(text[segmentStart..], segmentStart, sink);
    }

    private static int NextBracket(ReadOnlySpan<char> text, int from)
    {
        if (from >= text.Length)
            return -1;
        var next = text[from..].IndexOf('[');
        return next < 0 ? -1 : from + next;
    }

    private void TokenizeSegment(ReadOnlySpan<char> segment, int segmentOffset, TokenSink sink)
    {
        if (segment.IsEmpty || sink.IsFull)
            return;
        var normalized = new StringBuilder(segment.Length + 8);
        var origins = ArrayPool<int>.Shared.Rent(segment.Length * 4 + 16);
        try
        {
            var count = Normalize(segment, normalized, ref origins);
            SplitWords(normalized.ToString(), origins.AsSpan(0, count * 2), segmentOffset, sink);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(origins);
        }
    }

    /// <summary>
    /// BERT normalisation into <paramref name="output"/>; for each output char, <paramref name="origins"/> gets the
    /// start and end (in the segment) of the input character it came from. Returns the number of output chars.
    /// </summary>
    private int Normalize(ReadOnlySpan<char> segment, StringBuilder output, ref int[] origins)
    {
        for (var i = 0; i < segment.Length;)
        {
            var start = i;
            var status = Rune.DecodeFromUtf16(segment[i..], out var rune, out var used);
            i += used;
            // A lone surrogate is a surrogate code point to the reference normaliser, which drops it as a control.
            if (status != OperationStatus.Done || rune.Value is 0 or 0xFFFD || IsControl(rune))
                continue;
            var before = output.Length;
            if (IsWhitespace(rune.Value))
            {
                output.Append(' ');
            }
            else if (IsCjkIdeograph(rune.Value))
            {
                output.Append(' ');
                AppendCased(segment, start, i, rune, output);
                output.Append(' ');
            }
            else
            {
                AppendCased(segment, start, i, rune, output);
            }
            if (output.Length * 2 > origins.Length)
            {
                var larger = ArrayPool<int>.Shared.Rent(output.Length * 4);
                origins.AsSpan().CopyTo(larger);
                ArrayPool<int>.Shared.Return(origins);
                origins = larger;
            }
            for (var k = before; k < output.Length; k++)
            {
                origins[k * 2] = start;
                origins[k * 2 + 1] = i;
            }
        }
        return output.Length;
    }

    private void AppendCased(ReadOnlySpan<char> segment, int start, int end, Rune rune, StringBuilder output)
    {
        if (!Lowercase)
        {
            output.Append(rune.ToString());
            return;
        }
        // Unicode's Final_Sigma rule, which full lower-casing applies: a capital sigma that ends a word becomes ς.
        if (rune.Value == 0x3A3 && IsFinalSigma(segment, start, end))
        {
            output.Append('\u03C2');
            return;
        }
        UncasedFolding.Append(rune, output);
    }

    private static bool IsFinalSigma(ReadOnlySpan<char> segment, int start, int end)
    {
        var before = false;
        for (var i = start; i > 0;)
        {
            Rune.DecodeLastFromUtf16(segment[..i], out var rune, out var used);
            i -= used;
            if (IsCaseIgnorable(rune) || IsDropped(rune))
                continue;
            before = IsCased(rune);
            break;
        }
        if (!before)
            return false;
        for (var i = end; i < segment.Length;)
        {
            Rune.DecodeFromUtf16(segment[i..], out var rune, out var used);
            i += used;
            if (IsCaseIgnorable(rune) || IsDropped(rune))
                continue;
            return !IsCased(rune);
        }
        return true;
    }

    // Characters normalisation removes before lower-casing; they cannot separate a sigma from its word.
    private static bool IsDropped(Rune rune) => rune.Value is 0 or 0xFFFD || IsControl(rune);

    private static bool IsCased(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune rune) => rune.Value is '\'' or '.' or ':' or '^' or '`' or 0xB7 or 0x2018 or 0x2019 or 0x2024
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;

    /// <summary>Splits on whitespace and punctuation (each punctuation character is a word) and runs WordPiece on each word.</summary>
    private void SplitWords(string normalized, ReadOnlySpan<int> origins, int segmentOffset, TokenSink sink)
    {
        var wordStart = -1;
        for (var i = 0; i < normalized.Length && !sink.IsFull;)
        {
            Rune.DecodeFromUtf16(normalized.AsSpan(i), out var rune, out var used);
            if (IsWhitespace(rune.Value) || IsPunctuation(rune))
            {
                if (wordStart >= 0)
                    AddWord(normalized, wordStart, i, origins, segmentOffset, sink);
                wordStart = -1;
                if (!IsWhitespace(rune.Value))
                    AddWord(normalized, i, i + used, origins, segmentOffset, sink);
            }
            else if (wordStart < 0)
            {
                wordStart = i;
            }
            i += used;
        }
        if (wordStart >= 0)
            AddWord(normalized, wordStart, normalized.Length, origins, segmentOffset, sink);
    }

    private void AddWord(string normalized, int start, int end, ReadOnlySpan<int> origins, int segmentOffset, TokenSink sink)
    {
        if (sink.IsFull)
            return;
        var word = normalized.AsSpan(start, end - start);
        if (CountRunes(word) > MaxInputCharsPerWord)
        {
            sink.Add(UnknownId, Origin(origins, segmentOffset, start, end));
            return;
        }
        var mark = sink.Mark();
        for (var pieceStart = start; pieceStart < end;)
        {
            var pieceEnd = end;
            var id = -1;
            while (pieceEnd > pieceStart)
            {
                var piece = normalized.AsSpan(pieceStart, pieceEnd - pieceStart);
                var lookup = pieceStart == start ? _wordLookup : _continuationLookup;
                if (lookup.TryGetValue(piece, out id))
                    break;
                id = -1;
                // Step back one code point, never into the middle of a surrogate pair.
                pieceEnd -= pieceEnd - 2 >= pieceStart && char.IsLowSurrogate(normalized[pieceEnd - 1]) && char.IsHighSurrogate(normalized[pieceEnd - 2]) ? 2 : 1;
            }
            if (id < 0)
            {
                sink.Reset(mark);
                sink.Add(UnknownId, Origin(origins, segmentOffset, start, end));
                return;
            }
            sink.Add(id, Origin(origins, segmentOffset, pieceStart, pieceEnd));
            pieceStart = pieceEnd;
        }
    }

    /// <summary>The original-text span of normalized chars [from, to).</summary>
    private static TokenOffset Origin(ReadOnlySpan<int> origins, int segmentOffset, int from, int to) =>
        new(segmentOffset + origins[from * 2], origins[(to - 1) * 2 + 1] - origins[from * 2]);

    private static int CountRunes(ReadOnlySpan<char> text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!(char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1])))
                count++;
        }
        return count;
    }

    // The reference drops control, format, private-use and surrogate code points, except tab, line feed and carriage return.
    private static bool IsControl(Rune rune) => rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    // ECMAScript's \s: the characters the reference treats as whitespace.
    private static bool IsWhitespace(int c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' or 0xA0 or 0x1680
        or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 or 0xFEFF;

    // ASCII symbols count as punctuation for BERT (so "$", "+" and "<" split words), as does every Unicode P* character.
    private static bool IsPunctuation(Rune rune) => rune.Value is (>= 0x21 and <= 0x2F) or (>= 0x3A and <= 0x40) or (>= 0x5B and <= 0x60) or (>= 0x7B and <= 0x7E)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    // BERT's CJK ranges. Like the reference, only ideographs in the Basic Multilingual Plane are split apart:
    // it tests UTF-16 code units, so a supplementary-plane ideograph is never seen as one.
    private static bool IsCjkIdeograph(int c) => c is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0xF900 and <= 0xFAFF);

    /// <summary>Collects content ids (and offsets) up to a limit; pieces of a word are taken back when the word turns out unknown.</summary>
    private sealed class TokenSink(int limit, bool withOffsets)
    {
        public List<int> Ids { get; } = [];
        public List<TokenOffset>? Offsets { get; } = withOffsets ? [] : null;

        public bool IsFull => Ids.Count >= limit;

        public void Add(int id, TokenOffset offset)
        {
            if (IsFull)
                return;
            Ids.Add(id);
            Offsets?.Add(offset);
        }

        public int Mark() => Ids.Count;

        public void Reset(int mark)
        {
            Ids.RemoveRange(mark, Ids.Count - mark);
            Offsets?.RemoveRange(mark, Offsets.Count - mark);
        }
    }
}
