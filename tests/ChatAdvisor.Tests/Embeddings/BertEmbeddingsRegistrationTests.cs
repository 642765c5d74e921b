using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Core.Embeddings.WordPiece;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Embeddings;

public sealed class BertEmbeddingsRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, string contentRoot)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddBertEmbeddings(configuration, contentRoot);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task AddBertEmbeddings_ProviderBert_ServesTheModelAndCountsTokensWithItsVocabulary()
    {
        var root = Path.Combine(Path.GetTempPath(), "chatadvisor-bert-di-" + Guid.NewGuid().ToString("N"));
        var vocabulary = Path.Combine(RepoPaths.Shared, "models", "all-MiniLM-L6-v2", "vocab.txt");
        Assert.True(File.Exists(vocabulary), $"Reference file {vocabulary} is missing.");
        GeneratedBertModel.Write(Path.Combine(root, "models", "generated"), vocabulary);
        try
        {
            using var provider = Build(new() { ["Embeddings:Provider"] = "bert", ["Embeddings:ModelPath"] = "models/generated" }, root);

            var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            var embeddings = await generator.GenerateAsync(["Which framework suits an ML inference API?"]);
            var counter = provider.GetRequiredService<ITokenCounter>();

            Assert.IsType<BertEmbeddingGenerator>(generator);
            Assert.Equal(384, embeddings[0].Vector.Length);
            Assert.IsType<WordPieceTokenizer>(counter);
            Assert.Equal(2, counter.CountTokens("hello world"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void AddBertEmbeddings_ProviderBertWithoutModelPath_FailsValidationNamingTheSetting()
    {
        using var provider = Build(new() { ["Embeddings:Provider"] = "bert" }, Path.GetTempPath());

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EmbeddingsOptions>>().Value);

        Assert.Contains("Embeddings:ModelPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddBertEmbeddings_ModelFolderIncomplete_FailsValidationListingTheFiles()
    {
        using var provider = Build(new() { ["Embeddings:Provider"] = "bert", ["Embeddings:ModelPath"] = "no-such-model" }, Path.GetTempPath());

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EmbeddingsOptions>>().Value);

        Assert.Contains("model.safetensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddBertEmbeddings_DefaultProvider_RegistersNoEncoder()
    {
        using var provider = Build(new() { ["Embeddings:Provider"] = "static" }, Path.GetTempPath());

        Assert.Null(provider.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Null(provider.GetService<BertEmbeddingGenerator>());
    }
}
