using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Tests.Answering;

public class VerdictFinderTests(AdvisorFixture fixture) : IClassFixture<AdvisorFixture>
{
    private async Task<IndexSnapshot> SnapshotAsync() => await ((IndexProvider)fixture.Services.GetService(typeof(IndexProvider))!).GetAsync();

    // A unit vector at cosine `cosine` with (1, 0).
    private static ReadOnlyMemory<float> At(double cosine) => new[] { (float)cosine, (float)Math.Sqrt(1 - cosine * cosine) };

    private static Claim ClaimFor(string entity, string condition, ClaimKind kind) => new([entity], "article", 0, 1, 0, condition, kind);

    [Fact]
    public async Task Find_TableRatingAsCloseAsARecommendation_RecommendationDecides()
    {
        var index = await SnapshotAsync();
        // The rating scores a hair above the recommendation, well within the margin that would otherwise split the verdict.
        var evidence = new EvidenceSet(
            [ClaimFor("flask", "Learning Curve: Easy", ClaimKind.TableCell), ClaimFor("django", "the best starting point for most beginners", ClaimKind.Endorsement)],
            [At(0.700), At(0.675)]);

        var verdict = VerdictFinder.Find(evidence, ["django", "flask"], At(1), [], [], index);

        Assert.Equal("django", verdict.Winner);
        Assert.Empty(verdict.Split);
    }

    [Fact]
    public async Task Find_TableRatingOnTheAspectAsCloseAsARecommendationOffIt_RatingDecides()
    {
        var index = await SnapshotAsync();
        // "back-office clerks edit records through screens": the admin row's rating against a recommendation for high
        // performance, which speaks to nothing asked.
        var admin = new ChatAdvisor.Core.Topics.Aspect("admin", "an admin panel", ["admin"], ["admin"]);
        var evidence = new EvidenceSet(
            [ClaimFor("django", "Admin Panel: Built-in", ClaimKind.TableCell) with { Row = "Admin Panel" }, ClaimFor("fastapi", "High-performance backend systems", ClaimKind.Choice)],
            [At(0.680), At(0.700)]);

        var verdict = VerdictFinder.Find(evidence, ["django", "fastapi"], At(1), [], [admin], index);

        Assert.Equal("django", verdict.Winner);
        Assert.Empty(verdict.Split);
    }

    [Theory]
    [InlineData(0.700, "fastapi")] // 0.015 ahead once the aspect counts: the claim on the aspect asked wins
    [InlineData(0.720, "django")]  // 0.035 ahead: the closer match stands
    public async Task Find_ClaimOnTheAspectCloseBehind_WinsAgainstOneThatIsNotOnIt(double other, string expected)
    {
        var index = await SnapshotAsync();
        var realtime = new ChatAdvisor.Core.Topics.Aspect("realtime", "real-time applications", ["realtime"], ["realtime"]);
        var evidence = new EvidenceSet(
            [ClaimFor("django", "a complete web application", ClaimKind.Choice), ClaimFor("fastapi", "Real-time applications", ClaimKind.Choice)],
            [At(other), At(0.655)]);

        var verdict = VerdictFinder.Find(evidence, ["django", "fastapi"], At(1), [], [realtime], index);

        Assert.Equal(expected, verdict.Winner);
        Assert.Empty(verdict.Split);
    }

    [Fact]
    public async Task Find_TwoRecommendationsTooCloseToTell_StaysSplit()
    {
        var index = await SnapshotAsync();
        var evidence = new EvidenceSet(
            [ClaimFor("flask", "simple REST APIs", ClaimKind.Choice), ClaimFor("fastapi", "high-performance APIs", ClaimKind.Choice)],
            [At(0.700), At(0.695)]);

        var verdict = VerdictFinder.Find(evidence, ["flask", "fastapi"], At(1), [], [], index);

        Assert.Equal(["flask", "fastapi"], verdict.Split);
    }

    [Fact]
    public async Task Find_QuestionForTheLeast_WarningsAndLowestRatingSupportAndPraiseDoesNot()
    {
        var index = await SnapshotAsync();
        // "Which one has the smallest community?": the close praise of the largest community does not count.
        var evidence = new EvidenceSet(
            [ClaimFor("django", "the most mature ecosystem", ClaimKind.Endorsement), ClaimFor("fastapi", "Smaller ecosystem compared to Django", ClaimKind.Con)],
            [At(0.750), At(0.700)]);

        var least = VerdictFinder.Find(evidence, ["django", "fastapi"], At(1), [], [], index, least: true);
        var most = VerdictFinder.Find(evidence, ["django", "fastapi"], At(1), [], [], index);

        Assert.Equal("fastapi", least.Winner);
        Assert.Equal("django", most.Winner);
    }

    [Fact]
    public async Task Find_QuestionOnlyAboutAnAspect_TheTableRatingOutweighsASentenceThatSharesTheWord()
    {
        var index = await SnapshotAsync();
        var performance = new ChatAdvisor.Core.Topics.Aspect("performance", "performance", ["perform", "faster"], ["perform"]);
        // "Which of those two is faster?": "deliver an application faster" is about development, not about how fast it runs.
        var evidence = new EvidenceSet(
            [ClaimFor("django", "deliver a robust application faster", ClaimKind.Endorsement),
             ClaimFor("fastapi", "Performance: Excellent", ClaimKind.TableCell) with { Grade = 1, Row = "Performance" }],
            [At(0.480), At(0.580)]);

        var verdict = VerdictFinder.Find(evidence, ["django", "fastapi"], At(1), ["faster"], [performance], index);

        Assert.Equal("fastapi", verdict.Winner);
    }
}
