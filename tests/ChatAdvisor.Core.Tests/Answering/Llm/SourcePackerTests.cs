using ChatAdvisor.Core.Answering.Llm;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Tests.Answering.Llm;

public class SourcePackerTests
{
    [Fact]
    public void Pack_TokenBudget_StopsBeforeOverflow()
    {
        var packed = SourcePacker.Pack(LlmTestData.Hits(4, tokensEach: 100), maxTokens: 250, maxSources: 8);

        Assert.Equal([1, 2], packed.Select(p => p.Number));
    }

    [Fact]
    public void Pack_FirstHitOverBudget_StillTaken()
    {
        var packed = SourcePacker.Pack(LlmTestData.Hits(2, tokensEach: 5000), maxTokens: 100, maxSources: 8);

        Assert.Single(packed);
    }

    [Fact]
    public void Pack_SameChunkTwice_NumberedOnce()
    {
        var hits = LlmTestData.Hits(2);
        var packed = SourcePacker.Pack([hits[0], hits[0], hits[1]], 3000, 8);

        Assert.Equal(2, packed.Count);
        Assert.Equal(hits[1].Chunk, packed[1].Chunk);
    }

    [Fact]
    public void Pack_MaxSources_Respected()
    {
        Assert.Equal(3, SourcePacker.Pack(LlmTestData.Hits(4), 3000, maxSources: 3).Count);
    }

    [Fact]
    public void Format_Sources_NumberedWithTitleSectionAndText()
    {
        var text = SourcePacker.Format(SourcePacker.Pack(LlmTestData.Hits(2), 3000, 8));

        Assert.Equal(
            "[1] Article 0 — Performance\n" + LlmTestData.Passages[0] + "\n\n[2] Article 1\n" + LlmTestData.Passages[1],
            text);
    }

    [Fact]
    public void Pack_NoHits_NoSources()
    {
        Assert.Empty(SourcePacker.Pack(Array.Empty<SearchHit>(), 3000, 8));
    }
}
