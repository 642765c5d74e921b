using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Tests.Answering;

public class UnderstandingTests(AdvisorFixture fixture) : IClassFixture<AdvisorFixture>
{
    private async Task<IndexSnapshot> SnapshotAsync() => await ((IndexProvider)fixture.Services.GetService(typeof(IndexProvider))!).GetAsync();

    [Theory]
    [InlineData("Put our scikit-learn predictions behind an HTTP endpoint", "ml", "beginners")] // a hyphenated name's parts are not cues
    [InlineData("a site for a language school with student sign-up and lessons, a full website not just an API", null, "api")] // set aside
    [InlineData("an internal dashboard rather than an admin panel", null, "admin")]
    [InlineData("I'm not building a website, only an API for a mobile app", "api", null)] // "not" before a verb sets nothing aside
    [InlineData("We run a small college and want a site where students enrol and tutors publish lessons", "education", "beginners")] // a site for learners
    [InlineData("I'm a student learning web development, which framework should I start with?", "beginners", "education")] // a learner
    [InlineData("hackathon this weekend, need a backend to demo an idea, what gets me running fastest", "speed", "performance")] // soon done
    [InlineData("which of them is fastest under heavy load?", "performance", null)]
    [InlineData("what does fastapi use to check request bodies are the right shape?", "validation", null)] // data of the right shape
    [InlineData("a backend that returns suggestions from our recommendation model", "ml", null)] // a trained model
    [InlineData("a backend for our mobile app, and we have a lot of users", "performance", null)] // many users at once
    [InlineData("which data model fits a blog?", null, "ml")] // a data model is no trained one
    [InlineData("an enterprise system several teams will maintain for 10+ years", "large", "history")] // a long life is no history
    [InlineData("how many years has FastAPI been around?", "history", null)]
    [InlineData("A live feed with thousands of users connected at the same time", "performance", "speed")] // at once, not time to build
    public async Task Analyze_Question_CuesTheAspectsItIsAbout(string question, string? cued, string? notCued)
    {
        var index = await SnapshotAsync();

        var aspects = QuestionAnalyzer.Analyze(question, index, fixture.Advisor.Topic).Aspects;

        if (cued is not null)
            Assert.Contains(aspects, a => a.Id == cued);
        if (notCued is not null)
            Assert.DoesNotContain(aspects, a => a.Id == notCued);
    }

    [Theory]
    [InlineData("I'm building an e-shop with a real-time stock counter", "shop time", null)] // hyphenated words stay words
    [InlineData("So for a database-heavy app which one?", "database", "heavy")] // a degree compound is about its head
    public async Task Analyze_HyphenatedWords_CountAsWhatTheySay(string question, string content, string? notContent)
    {
        var index = await SnapshotAsync();

        var words = QuestionAnalyzer.Analyze(question, index, fixture.Advisor.Topic).ContentWords;

        Assert.All(content.Split(' '), word => Assert.Contains(word, words));
        if (notContent is not null)
            Assert.DoesNotContain(notContent, words);
    }

    [Fact]
    public async Task Ask_ComparisonOnAnAspectTwoTablesRate_TableHasBothRowsEachCited()
    {
        var answer = await fixture.Advisor.AskAsync("Do any of these give you a ready-made back-office UI to manage your data?");

        var rows = answer.Text.Split('\n').Where(line => line.StartsWith("| Admin Panel [", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains(rows, r => r.Contains("None (API-centric)", StringComparison.Ordinal));
        Assert.Equal(2, rows.Select(r => r[..r.IndexOf(']')]).Distinct().Count());
    }

    [Fact]
    public async Task Analyze_WordInsideAnotherAspectsPhrase_CuesOnlyThatAspect()
    {
        var index = await SnapshotAsync();

        var aspects = QuestionAnalyzer.Analyze("how does each of them protect against SQL injection?", index, fixture.Advisor.Topic).Aspects;

        Assert.Contains(aspects, a => a.Id == "security");
        Assert.DoesNotContain(aspects, a => a.Id == "database");
    }

    [Theory]
    [InlineData("which docs pages does fastapi generate for free?", QuestionKind.Fact)]
    [InlineData("Which Ruby framework was Flask modelled on?", QuestionKind.Fact)]
    [InlineData("Which framework should I pick instead of Flask?", QuestionKind.Recommendation)]
    [InlineData("Which one is best for an API, FastAPI?", QuestionKind.Recommendation)]
    public async Task Analyze_WhichThingOfOneEntity_IsAFactNotAChoice(string question, QuestionKind kind)
    {
        var index = await SnapshotAsync();

        Assert.Equal(kind, QuestionAnalyzer.Analyze(question, index, fixture.Advisor.Topic).Kind);
    }

    [Theory]
    [InlineData("You're building APIs.", "APIs.")]
    [InlineData("You need an admin dashboard.", "an admin dashboard.")]
    [InlineData("You're learning backend development.", "learning backend development.")]
    public void ClaimContent_ListFramingGoes_AVerbThatIsTheConditionStays(string condition, string content)
        => Assert.Equal(content, EvidenceExtractor.Content(condition));

    // The first sentence answers the question in the shape it asks for.
    [Theory]
    [InlineData("We trained a model that scores loan applications and now thousands of users need to hit it for predictions at the same time. Which framework fits?",
        "For what you describe, the articles")] // a situation whose words include aspect cues is not "about" those aspects
    [InlineData("Which framework is best for async support?", "For async support, the articles")]
    [InlineData("Does Django have an admin panel?", "Yes: Admin Panel — Django: Built-in")] // yes or no first, from the comparison row
    [InlineData("Is Flask good for async code?", "No. For async support, the articles point to **FastAPI** rather than Flask")] // rated low: no benefit of the doubt
    [InlineData("I'm building an online store with a staff back-office", "For an online store with a staff back-office, the articles point to **Django**")]
    [InlineData("django or fastapi for a chat app with websockets", "For a chat app with websockets, the articles point to **FastAPI**")]
    [InlineData("So for a database-heavy app which one?", "For a database-heavy app, the articles point to **Django**")] // the use case as asked
    [InlineData("Django vs Flask for a blog?", "On content-heavy sites, the articles favour **Django** [1]; here is how they compare")]
    [InlineData("We run a small college and want a site where students enrol and tutors publish lessons. Which framework?", "For what you describe, the articles point to **Django**")]
    public async Task Ask_Question_FirstSentenceAnswersItsShape(string question, string opening)
    {
        var answer = await fixture.Advisor.AskAsync(question);

        Assert.StartsWith(opening, answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Understand_Verdict_ThePassageItRestsOnIsRetrievedFirst()
    {
        var index = await SnapshotAsync();

        var understood = await fixture.Advisor.UnderstandAsync(
            "just need a tiny page where the 6 people in our office can look up who's on shift this week, nothing fancy", null, index);

        var winner = Assert.IsType<string>(understood.Evidence?.Winner);
        var claim = understood.Evidence!.For(winner)[0].Claim;
        var first = understood.Hits[0].Chunk;
        Assert.True(first.DocumentId == claim.DocumentId && first.Start <= claim.Start && claim.End <= first.End,
            $"the first hit is not the passage of \"{claim.Condition}\"");
        Assert.Equal(understood.Hits.Count, understood.Hits.Select(h => h.Chunk.Index).Distinct().Count());
    }

    [Fact]
    public async Task Understand_VerdictOfTheModel_ThePassageSayingItInWordsLeadsAndTheRatingFollows()
    {
        var index = await SnapshotAsync();

        var understood = await fixture.Advisor.UnderstandAsync("I need back-office screens so staff can edit records", null, index);

        var winner = Assert.IsType<string>(understood.Evidence?.Winner);
        Assert.NotNull(understood.Evidence!.Probabilities);
        var claims = understood.Evidence.For(winner).Select(c => c.Claim).ToList();
        Assert.NotEqual(ClaimKind.TableCell, claims[0].Kind);
        var first = understood.Hits[0].Chunk;
        Assert.True(first.DocumentId == claims[0].DocumentId && first.Start <= claims[0].Start && claims[0].End <= first.End,
            $"the first hit is not the passage of \"{claims[0].Condition}\"");
    }

    [Fact]
    public async Task Ask_BestForAnAspect_EveryPointBehindTheVerdictSpeaksToIt()
    {
        var answer = await fixture.Advisor.AskAsync("Which framework is best for beginners?", "c-support-aspect");

        Assert.StartsWith("For beginners, the articles point to **Django**", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("MVC", answer.Text, StringComparison.Ordinal);
        foreach (var point in answer.Text.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)))
            Assert.Matches("(?i)learn|beginner|easy|curve", point);
    }

    [Fact]
    public async Task AskAsync_VerdictWithNoPointBesideItsClaim_LeavesNoEmptyBlock()
    {
        var answer = await fixture.Advisor.AskAsync("django or fastapi for a chat app with websockets", "c-no-points");

        Assert.DoesNotContain("\n\n\n", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAsync_EntityAskedAboutLosesTheVerdict_TheWarningAgainstItComesFirst()
    {
        var answer = await fixture.Advisor.AskAsync("Would Django be too heavy for a tiny side project?", "c-warning-first");

        var lines = answer.Text.Split('\n');
        Assert.Contains("**Flask** rather than Django", lines[0], StringComparison.Ordinal);
        Assert.Contains("Can feel heavy for small projects", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_BestForAFeature_NoRunnerUpPitch()
    {
        var answer = await fixture.Advisor.AskAsync("Which is best for performance?", "c-runner-up-cell");

        // A question about a feature is answered by how the articles rate it: another entity's pitch is filler there.
        Assert.StartsWith("For performance, the articles point to **FastAPI**", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Consider **", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_ChoiceBetweenAlternativesWithAnAspect_IsWhollyOutside()
    {
        var index = await SnapshotAsync();

        var question = QuestionAnalyzer.Analyze("For a Rust web service with a REST API, should I go with actix-web or axum?", index, fixture.Advisor.Topic);

        Assert.Equal(QuestionKind.OutOfScope, question.Kind);
        Assert.Contains("Rust", question.Uncovered);
    }

    [Fact]
    public async Task Analyze_AlternativeBesideAnEntity_IsPartlyCovered()
    {
        var index = await SnapshotAsync();

        var question = QuestionAnalyzer.Analyze("Is FastAPI faster than Express for a REST API?", index, fixture.Advisor.Topic);

        Assert.NotEqual(QuestionKind.OutOfScope, question.Kind);
        Assert.Equal(["Express"], question.Uncovered);
    }

    [Fact]
    public async Task AskAsync_EntityAgainstAnAlternative_SaysWhatIsNotCoveredThenTheEntitysProsAndCons()
    {
        var answer = await fixture.Advisor.AskAsync("How does Django compare with Laravel?", "c-against-alternative");

        Assert.StartsWith("The articles don't cover Laravel", answer.Text, StringComparison.Ordinal);
        Assert.Contains("advantages of Django", answer.Text, StringComparison.Ordinal);
        Assert.Contains("disadvantages of Django", answer.Text, StringComparison.Ordinal);
        Assert.Contains(answer.Citations, c => c.Section == "Pros of Django");
        Assert.DoesNotContain(answer.Suggestions, s => s.Contains("disadvantages of Django", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Analyze_DetailNamedByAnotherWord_IsNamedAsAskedWithItsTopic()
    {
        var index = await SnapshotAsync();

        var question = QuestionAnalyzer.Analyze("How do I run FastAPI on Kubernetes with autoscaling?", index, fixture.Advisor.Topic);

        var named = Assert.Single(question.Uncovered);
        Assert.StartsWith("Kubernetes (", named);
    }

    [Fact]
    public async Task AskAsync_DetailNotCovered_AnswerNamesWhatWasAsked()
    {
        var answer = await fixture.Advisor.AskAsync("What's the pip command to start a Django project, and does its ORM support several databases?");

        Assert.StartsWith("The articles don't cover pip (", answer.Text);
        Assert.True(answer.Grounded);
    }

    [Theory]
    [InlineData("any big well-known sites actually running on django? need ammo for a meeting")]
    [InlineData("Which companies use Django?")]
    public async Task AskAsync_WhoUsesAnEntity_OpensWithThePassageThatNamesItsUsers(string question)
    {
        var answer = await fixture.Advisor.AskAsync(question);

        Assert.Equal(QuestionKind.Fact, answer.Kind);
        var first = answer.Text.Split('\n')[0];
        Assert.Contains("Instagram", first);
    }

    [Theory]
    [InlineData("Do any of them come with an admin panel?")]
    [InlineData("how good is async support across the three?")]
    [InlineData("which ones have an admin panel and which don't?")]
    public async Task Analyze_AspectAskedOfAllWithoutNames_IsAComparison(string question)
    {
        var index = await SnapshotAsync();

        Assert.Equal(QuestionKind.Comparison, QuestionAnalyzer.Analyze(question, index, fixture.Advisor.Topic).Kind);
    }

    [Fact]
    public async Task Analyze_WhichOfThemWouldYouUse_StaysARecommendation()
    {
        var index = await SnapshotAsync();

        var question = QuestionAnalyzer.Analyze("It has to be a small, focused service. Which of the three would you use?", index, fixture.Advisor.Topic);

        Assert.Equal(QuestionKind.Recommendation, question.Kind);
    }

    [Fact]
    public async Task AskAsync_WhichHaveItAndWhichDoNot_OpensWithTheRowAndKeepsItsAcronym()
    {
        var answer = await fixture.Advisor.AskAsync("Which of them include an ORM and which ones leave the database to me?");

        Assert.StartsWith("On ORM / database, the articles favour **Django**", answer.Text, StringComparison.Ordinal);
        Assert.Contains("SQLAlchemy", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAsync_ComparisonOnAnAspectInOtherWords_OpensWithTheRowOnItAndItsLeader()
    {
        var answer = await fixture.Advisor.AskAsync("Do any of these give you a ready-made back-office UI to manage your data, or do I have to build that myself?");

        var first = answer.Text.Split('\n')[0];
        Assert.Contains("**Django**", first);
        Assert.Contains("admin", first, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("| Admin Panel", answer.Text);
        Assert.DoesNotContain("Swagger", answer.Text);
    }

    [Theory]
    [InlineData("We're carving our monolith into small services and everyone on the team is comfortable with async/await. What should the services be written in?")]
    [InlineData("total beginner on the backend side (i know basic python from uni), which framework should I start with?")]
    public async Task Analyze_ClauseAfterAnIntroducingWord_IsNotAUseCase(string question)
    {
        var index = await SnapshotAsync();

        Assert.Null(QuestionAnalyzer.Analyze(question, index, fixture.Advisor.Topic).UseCase);
    }

    [Fact]
    public async Task Analyze_NounPhraseAfterFor_IsTheUseCase()
    {
        var index = await SnapshotAsync();

        var question = QuestionAnalyzer.Analyze("Which framework for an online store with a staff back-office?", index, fixture.Advisor.Topic);

        Assert.Equal("an online store with a staff back-office", question.UseCase);
    }

    [Theory]
    [InlineData("Which template engine does Flask use?", "Templating — Flask: Jinja2")]
    [InlineData("fastapi doesn't ship its own database layer right? so what do people plug in for that?", "ORM / Database — FastAPI:")]
    [InlineData("is flask dead?", "Community Size — Flask: Large")]
    public async Task AskAsync_EntityAskedAboutOnAnAspect_OpensWithItsTableCell(string question, string opening)
    {
        var answer = await fixture.Advisor.AskAsync(question);

        Assert.StartsWith(opening, answer.Text, StringComparison.Ordinal);
        Assert.NotEqual(QuestionKind.Recommendation, answer.Kind);
    }

    [Fact]
    public async Task AskAsync_WhatAnEntityIsBuiltOn_IsNotAnsweredWithItsCommunity()
    {
        var answer = await fixture.Advisor.AskAsync("What libraries does FastAPI sit on top of under the hood?");

        Assert.Contains("Starlette", answer.Text.Split('\n')[0]);
    }
}
