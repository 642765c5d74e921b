using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Core.Evaluation;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Tests.Topics;

/// <summary>An advisor over the second topic's corpus (WSGI servers), with the same engine and no change of code.</summary>
public sealed class SecondTopicFixture : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly IndexProvider _index;
    private readonly ConversationStore _store;

    public SecondTopicFixture()
    {
        var source = Path.Combine(RepoPaths.Root, "tests", "ChatAdvisor.Core.Tests", "Topics", "WsgiServers", "corpus");
        var target = Path.Combine(_folder.Path, "corpus");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        var root = new ContentRootPath(_folder.Path);
        _index = new IndexProvider(Options.Create(new CorpusOptions { WatchForChanges = false }), Options.Create(new StorageOptions { Path = "storage" }),
            Options.Create(new ChunkingOptions()), TestModels.TokenCounter, root, NullLogger<IndexProvider>.Instance, TestModels.Arctic);
        _store = new ConversationStore(Options.Create(new StorageOptions { Path = "storage" }), root, TimeProvider.System, NullLogger<ConversationStore>.Instance);
        var retrieval = Options.Create(new RetrievalOptions());
        Advisor = new Advisor(_index, new HybridRetriever(new Retriever(), TestModels.Arctic, retrieval), _store, retrieval, NullLogger<Advisor>.Instance);
    }

    public Advisor Advisor { get; }

    public IServiceProvider Services => new Provider(this);

    public void Dispose()
    {
        _index.Dispose();
        _store.Dispose();
        _folder.Dispose();
    }

    private sealed class Provider(SecondTopicFixture fixture) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(Advisor) ? fixture.Advisor :
            serviceType == typeof(IndexProvider) ? fixture._index :
            serviceType == typeof(ConversationStore) ? fixture._store : null;
    }
}

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
