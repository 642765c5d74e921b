using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Tests.Answering;

/// <summary>An advisor over the repository's corpus (or another corpus folder) with its own storage folder, shared by a test class.</summary>
public class AdvisorFixture : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly IndexProvider _index;
    private readonly ConversationStore _store;

    public AdvisorFixture()
        : this(Path.Combine(RepoPaths.Root, "corpus"))
    {
    }

    /// <summary>An advisor over a copy of the articles and topic profile in <paramref name="corpusSource"/>.</summary>
    protected AdvisorFixture(string corpusSource)
    {
        var root = new ContentRootPath(_folder.Path);
        var target = Path.Combine(_folder.Path, "corpus");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(corpusSource))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        _index = new IndexProvider(Options.Create(new CorpusOptions { WatchForChanges = false }), Options.Create(new StorageOptions { Path = "storage" }),
            Options.Create(new ChunkingOptions()), TestModels.TokenCounter, root, NullLogger<IndexProvider>.Instance, TestModels.Shipped);
        _store = new ConversationStore(Options.Create(new StorageOptions { Path = "storage" }), root, TimeProvider.System, NullLogger<ConversationStore>.Instance);
        var retrieval = Options.Create(new RetrievalOptions());
        Advisor = new Advisor(_index, new HybridRetriever(new Retriever(), TestModels.Shipped, retrieval), _store, retrieval, NullLogger<Advisor>.Instance);
    }

    public Advisor Advisor { get; }

    public IServiceProvider Services => new Provider(this);

    public async Task<string> ArticleTextAsync(string id) => (await _index.GetAsync()).Article(id).Article.Text;

    public void Dispose()
    {
        _index.Dispose();
        _store.Dispose();
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class Provider(AdvisorFixture fixture) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(Advisor) ? fixture.Advisor :
            serviceType == typeof(IndexProvider) ? fixture._index :
            serviceType == typeof(ConversationStore) || serviceType == typeof(IConversationStore) ? fixture._store : null;
    }
}
