using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>
/// Says whether a text to embed is a search query or a passage, for asymmetric retrieval models that embed the two
/// differently (snowflake-arctic-embed prefixes queries with an instruction). Passed as
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>[<see cref="Key"/>]; a text without it is a passage.
/// </summary>
public static class EmbeddingInput
{
    /// <summary>The additional property that carries the input type.</summary>
    public const string Key = "input_type";

    /// <summary>The value for a search query.</summary>
    public const string Query = "query";

    /// <summary>Options that mark the texts as search queries.</summary>
    public static EmbeddingGenerationOptions ForQuery() => new() { AdditionalProperties = new() { [Key] = Query } };

    /// <summary>True when <paramref name="options"/> mark the texts as search queries.</summary>
    public static bool IsQuery(EmbeddingGenerationOptions? options)
        => options?.AdditionalProperties?.TryGetValue(Key, out var value) == true && value is string kind && kind == Query;
}
