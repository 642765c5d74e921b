using ChatAdvisor.Core.Chunking;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>Counts tokens with the embedding model's own tokenizer, so chunks fit what the model reads.</summary>
/// <remarks>Thread-safe: the tokenizer is immutable.</remarks>
public sealed class BertTokenCounter(BertTextTokenizer tokenizer) : ITokenCounter
{
    /// <summary>The tokenizer.</summary>
    public BertTextTokenizer Tokenizer { get; } = tokenizer;

    /// <summary>A tokenizer for <paramref name="model"/>'s vocabulary and casing.</summary>
    public static BertTextTokenizer CreateTokenizer(EmbeddingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return BertTextTokenizer.Create(model.ReadVocabulary(), model.Lowercase);
    }

    /// <inheritdoc />
    public IReadOnlySet<string>? Words => Tokenizer.WholeWords;

    /// <inheritdoc />
    public int CountTokens(ReadOnlySpan<char> text) => Tokenizer.CountTokens(text.ToString());
}
