using ChatAdvisor.Core.Evaluation;

namespace ChatAdvisor.Core.Tests.Answering;

public class HybridEvaluationTests(AdvisorFixture fixture) : IClassFixture<AdvisorFixture>
{
    [Fact]
    public async Task Evaluate_WholeSetWithParaphrases_HybridMatchesKeywordsAndBeatsThemOnParaphrases()
    {
        var set = EvalSet.LoadFolder(Path.Combine(RepoPaths.Root, "eval"));
        var report = await Evaluator.RunAsync(fixture.Services, set);
        var lexical = report.Retrievers["lexical"];
        var hybrid = report.Retrievers["hybrid"];
        string Figures(RetrievalFigures f) => $"R@3 {f.RecallAt3:0.000} MRR {f.Mrr:0.000}";

        Assert.True(set.Cases.Count(c => c.Tags.Contains("paraphrase")) >= 15, "at least 15 paraphrase questions");
        Assert.True(hybrid.All.RecallAt3 >= lexical.All.RecallAt3 && hybrid.All.Mrr >= lexical.All.Mrr,
            $"whole set: hybrid {Figures(hybrid.All)}, lexical {Figures(lexical.All)}");
        Assert.True(hybrid.Paraphrase.RecallAt3 > lexical.Paraphrase.RecallAt3 && hybrid.Paraphrase.Mrr > lexical.Paraphrase.Mrr,
            $"paraphrases: hybrid {Figures(hybrid.Paraphrase)}, lexical {Figures(lexical.Paraphrase)}");
    }
}
