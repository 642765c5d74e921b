using ChatAdvisor.Core.Chunking;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>A retrieved chunk and its score (higher is better; scores are comparable only within one search).</summary>
public sealed record SearchHit(Chunk Chunk, double Score);
