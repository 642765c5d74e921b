using ChatAdvisor.Core.Answering.Llm;

namespace ChatAdvisor.Core.Tests.Answering.Llm;

public class CitationValidationTests
{
    private static readonly IReadOnlyList<PackedSource> Sources = SourcePacker.Pack(LlmTestData.Hits(4), 3000, 8);

    [Fact]
    public void Validate_InventedCitation_IsRemovedWithItsSpace()
    {
        var result = AnswerValidator.Validate("FastAPI is fast [1]. It runs on the moon [9].", Sources);

        Assert.Equal("FastAPI is fast [1]. It runs on the moon.", result.Text);
        Assert.Equal(1, result.RemovedMarkers);
        Assert.Single(result.Citations);
    }

    [Fact]
    public void Validate_CitationsOutOfOrder_RenumberedInOrderOfAppearance()
    {
        var result = AnswerValidator.Validate("Django has an admin [2]. FastAPI is fast [4][1]. Django again [2].", Sources);

        Assert.Equal("Django has an admin [1]. FastAPI is fast [2][3]. Django again [1].", result.Text);
        Assert.Equal([1, 2, 3], result.Citations.Select(c => c.Id));
        Assert.Equal(LlmTestData.Passages[1], result.Citations[0].Quote);
        Assert.Equal(LlmTestData.Passages[3], result.Citations[1].Quote);
        Assert.Equal(LlmTestData.Passages[0], result.Citations[2].Quote);
    }

    [Fact]
    public void Validate_GroupedCitation_SplitIntoMarkersAndInvalidPartDropped()
    {
        var result = AnswerValidator.Validate("Both are Python frameworks [3, 7, 1].", Sources);

        Assert.Equal("Both are Python frameworks [1][2].", result.Text);
        Assert.Equal(1, result.RemovedMarkers);
        Assert.Equal(["article-2", "article-0"], result.Citations.Select(c => c.DocumentId));
    }

    [Fact]
    public void Validate_QuoteAndOffsets_AreTheRetrievedPassageVerbatim()
    {
        var result = AnswerValidator.Validate("Flask is small [3].", Sources);

        var citation = Assert.Single(result.Citations);
        var chunk = Sources[2].Chunk;
        Assert.Equal(chunk.Text, citation.Quote);
        Assert.Equal(chunk.Start, citation.Start);
        Assert.Equal(chunk.End, citation.End);
        Assert.Equal(chunk.Title, citation.Title);
        Assert.Equal(chunk.Section, citation.Section);
    }

    [Fact]
    public void Validate_NoValidCitation_IsNotUsable()
    {
        var result = AnswerValidator.Validate("FastAPI is the best choice [8]. Trust me.", Sources);

        Assert.False(result.IsUsable);
        Assert.Empty(result.Citations);
    }

    [Fact]
    public void Validate_NotCoveredSentinel_UngroundedWithoutCitations()
    {
        var result = AnswerValidator.Validate("NOT COVERED: The articles do not discuss Rust web frameworks [2].", Sources);

        Assert.True(result.NotCovered);
        Assert.True(result.IsUsable);
        Assert.Empty(result.Citations);
        Assert.Equal("The articles do not discuss Rust web frameworks.", result.Text);
    }

    [Fact]
    public void Validate_PlainClaimThatSourcesDoNotCover_Ungrounded()
    {
        var result = AnswerValidator.Validate("I'm sorry, the provided sources do not cover pricing.", Sources);

        Assert.True(result.NotCovered);
        Assert.Empty(result.Citations);
    }

    [Fact]
    public void Validate_MarkdownLinkAndBrackets_LeftAlone()
    {
        var result = AnswerValidator.Validate("See [the docs](https://example.org) and [a note] on speed [1].", Sources);

        Assert.Equal("See [the docs](https://example.org) and [a note] on speed [1].", result.Text);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Renumberer_TextInPieces_SameAsWholeText(int pieceLength)
    {
        const string text = "Django has an admin [2]. FastAPI is fast [4, 1] and [9] async [3]. Flask is small [12].";
        var whole = new CitationRenumberer(4).Rewrite(text);

        var streamed = new CitationRenumberer(4);
        var output = "";
        for (var i = 0; i < text.Length; i += pieceLength)
            output += streamed.Append(text.Substring(i, Math.Min(pieceLength, text.Length - i)));
        output += streamed.Flush();

        Assert.Equal(whole, output);
        Assert.Equal("Django has an admin [1]. FastAPI is fast [2][3] and async [4]. Flask is small.", output);
    }

    [Fact]
    public void Renumberer_UnfinishedMarker_HeldBackUntilClosed()
    {
        var renumberer = new CitationRenumberer(4);

        Assert.Equal("Fast", renumberer.Append("Fast ["));
        Assert.Equal("", renumberer.Append("3"));
        Assert.Equal(" [1].", renumberer.Append("]."));
    }
}
