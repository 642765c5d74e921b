namespace ChatAdvisor.Core.Chunking;

/// <summary>Counts tokens so that chunks fit an embedding model's or a prompt's budget.</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface ITokenCounter
{
    /// <summary>The number of tokens <paramref name="text"/> encodes to, without special tokens.</summary>
    int CountTokens(ReadOnlySpan<char> text);
}
