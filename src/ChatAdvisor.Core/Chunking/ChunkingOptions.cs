namespace ChatAdvisor.Core.Chunking;

/// <summary>Settings of the <c>Chunking</c> section.</summary>
public sealed class ChunkingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Chunking";

    /// <summary>The most tokens a chunk holds (a table is kept whole even when it is longer).</summary>
    public int MaxTokens { get; set; } = 160;

    /// <summary>How many tokens of the previous chunk's last sentences a chunk repeats at its start.</summary>
    public int OverlapTokens { get; set; } = 32;

    /// <summary>Describes the first broken invariant, naming the setting, or returns null.</summary>
    public string? Validate()
    {
        if (MaxTokens < 16)
            return $"Chunking:MaxTokens must be at least 16 (it is {MaxTokens}).";
        if (OverlapTokens < 0)
            return $"Chunking:OverlapTokens must not be negative (it is {OverlapTokens}).";
        if (OverlapTokens >= MaxTokens)
            return $"Chunking:OverlapTokens ({OverlapTokens}) must be smaller than Chunking:MaxTokens ({MaxTokens}).";
        return null;
    }
}
