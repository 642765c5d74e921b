using ChatAdvisor.Core.Evaluation;
using ChatAdvisor.Core.Tests.Answering;

namespace ChatAdvisor.Core.Tests.Topics;

/// <summary>An advisor over the second topic's corpus (WSGI servers), with the same engine and no change of code.</summary>
public sealed class SecondTopicFixture() : AdvisorFixture(Path.Combine(RepoPaths.Root, "tests", "ChatAdvisor.Core.Tests", "Topics", "WsgiServers", "corpus"));

public class SecondTopicTests(SecondTopicFixture fixture) : IClassFixture<SecondTopicFixture>
{
    [Fact]
    public async Task Evaluate_SecondTopicWithItsOwnProfile_PassesItsEval()
    {
        var set = EvalSet.Load(Path.Combine(RepoPaths.Root, "tests", "ChatAdvisor.Core.Tests", "Topics", "WsgiServers", "eval.json"));
        var report = await Evaluator.RunAsync(fixture.Services, set);
        var misses = string.Join('\n', report.Failures.Select(f => $"{f.CaseId}#{f.Turn}: {f.Problem}"));

        Assert.Equal(1.0, report.CitationFaithfulness);
        Assert.True(report.VerdictAccuracy >= 0.99, $"verdicts {report.VerdictAccuracy:0.00}\n{misses}");
        Assert.True(report.PartialAccuracy >= 0.99, $"partial/refusal {report.PartialAccuracy:0.00}\n{misses}");
        Assert.True(report.KeyFactCoverage >= 0.99, $"facts {report.KeyFactCoverage:0.00}\n{misses}");
        // Five short pages that all discuss the same traits: the answering passage is always among the first five.
        Assert.True(report.Retrieval.RecallAt5 >= 0.99, $"recall@5 {report.Retrieval.RecallAt5:0.00}\n{misses}");
    }

    [Fact]
    public async Task AskAsync_OffTopic_RefusesWithTheSecondTopicsOwnText()
    {
        var answer = await fixture.Advisor.AskAsync("Give me a recipe for banana bread");

        Assert.False(answer.Grounded);
        Assert.Contains("WSGI servers", answer.Text, StringComparison.Ordinal);
        Assert.Contains(fixture.Advisor.StarterQuestions[0], answer.Text, StringComparison.Ordinal);
    }
}
