namespace ChatAdvisor.Core.Chunking;

/// <summary>Counts tokens so that chunks fit an embedding model's or a prompt's budget.</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface ITokenCounter
{
    /// <summary>The number of tokens <paramref name="text"/> encodes to, without special tokens.</summary>
    int CountTokens(ReadOnlySpan<char> text);

    /// <summary>
    /// The words the counter's vocabulary holds whole (lower-case), or null when it has no word list: the everyday words
    /// of the language its model was trained on, which spelling correction leaves as typed.
    /// </summary>
    IReadOnlySet<string>? Words => null;
}
