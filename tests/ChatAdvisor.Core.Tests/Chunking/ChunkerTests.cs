using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Core.Tests.Chunking;

public class ChunkerTests
{
    private static IEnumerable<Article> CorpusArticles()
    {
        var folder = Path.Combine(RepoPaths.Root, "corpus");
        return CorpusLoader.LoadAll(folder).Select(r => r.Article!);
    }

    [Fact]
    public void Chunk_Corpus_EveryChunkIsAVerbatimSpanWithinOneSection()
    {
        var chunker = new Chunker(new ChunkingOptions { MaxTokens = 120, OverlapTokens = 24 }, TestModels.TokenCounter);
        foreach (var article in CorpusArticles())
        {
            var chunked = chunker.Chunk(article);
            Assert.NotEmpty(chunked.Chunks);
            foreach (var chunk in chunked.Chunks)
            {
                Assert.Equal(article.Text[chunk.Start..chunk.End], chunk.Text);
                var section = article.Sections.Single(s => s.Start <= chunk.Start && chunk.Start < s.End);
                Assert.True(chunk.End <= section.End, $"chunk {chunk.Index} of {article.Id} crosses into the next section");
                Assert.Equal(section.Heading, chunk.Section);
                Assert.DoesNotContain("\n#", chunk.Text);
            }
        }
    }

    [Fact]
    public void Chunk_LongSection_RespectsBudgetAndOverlaps()
    {
        var sentences = Enumerable.Range(1, 40).Select(i => $"Sentence number {i} talks about Django and Flask and FastAPI at some length.");
        var text = "# Title\n\n## Long\n\n" + string.Join(' ', sentences);
        var article = new Article("long", "Title", text, CorpusLoader.Sections(text));
        var options = new ChunkingOptions { MaxTokens = 60, OverlapTokens = 20 };

        var chunks = new Chunker(options, TestModels.TokenCounter).Chunk(article).Chunks;

        Assert.True(chunks.Count > 5);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, options.MaxTokens));
        for (int i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start < chunks[i - 1].End, $"chunk {i} does not overlap the previous one");
            Assert.True(chunks[i].Start > chunks[i - 1].Start, $"chunk {i} does not move forward");
        }
        Assert.Equal(text.Length, chunks[^1].End);
    }

    [Fact]
    public void Chunk_Table_IsCutByRowsAndKeepsRowsWhole()
    {
        var rows = string.Join('\n', Enumerable.Range(1, 8).Select(i => $"| Row {i} | a{i} | b{i} |"));
        var text = "# T\n\n## Compare\n\n| Feature | Django | Flask |\n| --- | --- | --- |\n" + rows + "\n";
        var article = new Article("t", "T", text, CorpusLoader.Sections(text));

        var chunks = new Chunker(new ChunkingOptions(), TestModels.TokenCounter).Chunk(article).Chunks;

        Assert.True(chunks.Count >= 3);
        Assert.StartsWith("| Feature | Django | Flask |", chunks[0].Text);
        Assert.All(chunks, c => Assert.All(c.Text.Split('\n'), line => Assert.Matches(@"^\|.*\|$", line)));
    }

    [Theory]
    [InlineData("Django is great. Flask is small.", new[] { "Django is great.", "Flask is small." })]
    [InlineData("Frameworks, e.g. Django, help. They save time.", new[] { "Frameworks, e.g. Django, help.", "They save time." })]
    [InlineData("It was created by J. Smith in 2010. Then it grew!", new[] { "It was created by J. Smith in 2010.", "Then it grew!" })]
    [InlineData("Out of the box, Django provides:", new[] { "Out of the box, Django provides:" })]
    public void Segment_Paragraph_SplitsSentencesWithExactOffsets(string paragraph, string[] expected)
    {
        var text = "# T\n\n" + paragraph;
        var units = TextSegmenter.Segment(text, CorpusLoader.Sections(text));
        Assert.Equal(expected, units.Select(u => text[u.Start..u.End]));
    }

    [Fact]
    public void Segment_ListAndTable_GivesItemsWithoutBulletsAndRowsWithoutSeparator()
    {
        var text = "# T\n\n- Easy to learn\n- Minimal setup\n\n| A | B |\n| --- | --- |\n| 1 | 2 |";
        var units = TextSegmenter.Segment(text, CorpusLoader.Sections(text));
        Assert.Equal(["Easy to learn", "Minimal setup", "| A | B |", "| 1 | 2 |"], units.Select(u => text[u.Start..u.End]));
        Assert.Equal([UnitKind.ListItem, UnitKind.ListItem, UnitKind.TableHeader, UnitKind.TableRow], units.Select(u => u.Kind));
    }

    [Theory]
    [InlineData(16, 16, "Chunking:OverlapTokens")]
    [InlineData(8, 0, "Chunking:MaxTokens")]
    [InlineData(100, -1, "Chunking:OverlapTokens")]
    public void Validate_BrokenSettings_NamesTheSetting(int max, int overlap, string setting)
    {
        var message = new ChunkingOptions { MaxTokens = max, OverlapTokens = overlap }.Validate();
        Assert.NotNull(message);
        Assert.Contains(setting, message);
    }
}
