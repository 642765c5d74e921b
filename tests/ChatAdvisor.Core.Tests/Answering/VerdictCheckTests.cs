using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Tests.Answering;

public class VerdictCheckTests(AdvisorFixture fixture) : IClassFixture<AdvisorFixture>
{
    private async Task<IndexSnapshot> SnapshotAsync() => await ((IndexProvider)fixture.Services.GetService(typeof(IndexProvider))!).GetAsync();

    private static Citation CitationOf(IndexSnapshot index, string quote, string? section = null)
    {
        foreach (var chunked in index.Articles)
        {
            int start = chunked.Article.Text.IndexOf(quote, StringComparison.Ordinal);
            if (start >= 0)
                return new Citation(1, chunked.Article.Id, chunked.Article.Title, section, quote) { Start = start, End = start + quote.Length };
        }
        throw new InvalidOperationException($"'{quote}' is not in the corpus.");
    }

    [Fact]
    public async Task IsSupported_VerdictWhoseQuoteIsAboutAnotherEntity_Fails()
    {
        var index = await SnapshotAsync();
        var topic = fixture.Advisor.Topic;
        var quote = CitationOf(index, "Flask's simplicity and unopinionated nature make it an excellent pedagogical tool");
        var answer = new ComposedAnswer("For a big marketplace site, the articles point to **Django** [1].", true, [quote], []);

        Assert.False(VerdictCheck.IsSupported(answer, "django", index, topic));
        Assert.True(VerdictCheck.Supports(quote, "flask", index, topic));
        Assert.True(VerdictCheck.Contradicts(quote, "django", index, topic));
    }

    [Fact]
    public async Task Supports_ListItemUnderAHeadingNamingOneEntity_SupportsThatEntityOnly()
    {
        var index = await SnapshotAsync();
        var topic = fixture.Advisor.Topic;
        var item = CitationOf(index, "E-commerce platforms", "When to Choose Django");

        Assert.True(VerdictCheck.Supports(item, "django", index, topic));
        Assert.False(VerdictCheck.Supports(item, "flask", index, topic));
    }

    [Fact]
    public async Task Supports_SentenceThatMerelyMentionsAnEntity_IsNotAboutIt()
    {
        var index = await SnapshotAsync();
        var topic = fixture.Advisor.Topic;
        var sentence = CitationOf(index, "In many benchmarks, it outperforms Django and Flask by significant margins");

        Assert.True(VerdictCheck.Supports(sentence, "fastapi", index, topic));
        Assert.False(VerdictCheck.Supports(sentence, "django", index, topic));
    }

    [Fact]
    public async Task Compose_EvidenceWhosePassageContradictsTheVerdict_SendsNoVerdict()
    {
        var index = await SnapshotAsync();
        var topic = fixture.Advisor.Topic;
        var question = FollowUpResolver.Resolve(QuestionAnalyzer.Analyze("Is Django a good fit for a big marketplace site?", index, topic), null, topic);
        var hits = new Retriever().Search(index, SearchQuery.For(question, topic), 8);
        // Evidence gone wrong: a passage about Flask put forward for Django.
        var quote = CitationOf(index, "Flask's simplicity and unopinionated nature make it an excellent pedagogical tool");
        var unit = index.Article(quote.DocumentId).Units.First(u => u.Start <= quote.Start && u.End >= quote.End);
        var wrong = new Claim(["django"], quote.DocumentId, unit.Start, unit.End, unit.Section, "a strong choice for small, focused services", ClaimKind.Endorsement);
        var evidence = new VerdictEvidence("django", [], new Dictionary<string, List<ScoredClaim>> { ["django"] = [new ScoredClaim(wrong, 0.9)] });

        var answer = ExtractiveComposer.Compose(question, hits, index, topic, evidence);

        Assert.Null(answer.Verdict);
        Assert.DoesNotContain("point to **Django**", answer.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Which framework should I use for a high-traffic ML inference API?")]
    [InlineData("I need a built-in admin panel for my business app, which framework?")]
    [InlineData("What should I pick for a small prototype or proof-of-concept?")]
    [InlineData("Which framework is best for an e-commerce platform?")]
    [InlineData("We are building microservices with async I/O. What do the articles recommend?")]
    public async Task AskAsync_Recommendation_VerdictIsSupportedByItsOwnFirstCitation(string question)
    {
        var index = await SnapshotAsync();
        var topic = fixture.Advisor.Topic;
        var answer = await fixture.Advisor.AskAsync(question);
        var first = answer.Text.Split('\n')[0];
        var verdict = topic.Entities.FirstOrDefault(e => first.Contains($"**{e.Name}**", StringComparison.Ordinal));

        Assert.NotNull(verdict);
        var composed = new ComposedAnswer(answer.Text, answer.Grounded, answer.Citations, answer.Suggestions);
        Assert.True(VerdictCheck.IsSupported(composed, verdict.Id, index, topic), answer.Text);
    }
}
