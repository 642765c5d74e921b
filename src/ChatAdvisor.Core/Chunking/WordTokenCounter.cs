namespace ChatAdvisor.Core.Chunking;

/// <summary>
/// The default token counter when no BERT model is configured: counts words and punctuation marks the way a
/// WordPiece tokenizer roughly would (a punctuation mark is a token; a long word splits into several pieces).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class WordTokenCounter : ITokenCounter
{
    /// <summary>The shared instance.</summary>
    public static readonly WordTokenCounter Instance = new();

    /// <inheritdoc />
    public int CountTokens(ReadOnlySpan<char> text)
    {
        int tokens = 0, wordLength = 0;
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                wordLength++;
                continue;
            }
            tokens += WordPieces(wordLength);
            wordLength = 0;
            if (!char.IsWhiteSpace(c))
                tokens++;
        }
        return tokens + WordPieces(wordLength);
    }

    // Common words are one piece; rarer long words split into pieces of about six characters.
    private static int WordPieces(int length) => length == 0 ? 0 : length <= 8 ? 1 : (length + 5) / 6;
}
