using System.Numerics.Tensors;
using System.Text.Json;
using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Core.Embeddings.Static;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Tests.Embeddings;

public sealed class StaticEmbeddingGeneratorTests
{
    private static readonly string ModelPath = StaticModel.Path;
    private static readonly Lazy<StaticEmbeddingGenerator> Shared = new(() => StaticModel.Generator);

    private sealed record GoldenEntry(string Text, float[] Embedding);

    [Fact]
    public async Task GenerateAsync_GoldenTexts_MatchThePythonReferenceLoader()
    {
        // The golden file is written by tools/static-embedding/evaluate.py --golden, an independent reader of the
        // same file format (numpy), so this pins tokenisation, n-gram hashing, SIF pooling and normalisation.
        var golden = JsonSerializer.Deserialize<GoldenEntry[]>(
            await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "ChatAdvisor.Core.Tests", "Embeddings", "static-golden.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var embeddings = await Shared.Value.GenerateAsync(golden.Select(g => g.Text));

        Assert.Equal(golden.Length, embeddings.Count);
        for (var i = 0; i < golden.Length; i++)
        {
            var expected = golden[i].Embedding;
            var actual = embeddings[i].Vector.Span;
            if (TensorPrimitives.Norm(expected) == 0)
            {
                Assert.True(TensorPrimitives.Norm(actual) == 0, $"'{golden[i].Text}': expected a zero vector");
                continue;
            }
            var cosine = TensorPrimitives.CosineSimilarity(expected, actual);
            Assert.True(cosine >= 0.9999f, $"'{golden[i].Text}': cosine {cosine:F6} with the reference; first values C# [{string.Join(", ", actual[..4].ToArray())}] vs Python [{string.Join(", ", expected[..4])}]");
        }
    }

    [Theory]
    [InlineData("beginner", "novice", "database")]
    [InlineData("admin", "back-office", "asynchronous")]
    [InlineData("traffic", "load", "template")]
    [InlineData("prototype", "proof-of-concept", "security")]
    [InlineData("serve", "deploy", "validation")]
    [InlineData("drawbacks", "disadvantages", "routing")]
    public async Task GenerateAsync_Synonyms_AreCloserThanAnUnrelatedWord(string word, string synonym, string unrelated)
    {
        var e = await Shared.Value.GenerateAsync([word, synonym, unrelated]);

        var toSynonym = TensorPrimitives.CosineSimilarity(e[0].Vector.Span, e[1].Vector.Span);
        var toUnrelated = TensorPrimitives.CosineSimilarity(e[0].Vector.Span, e[2].Vector.Span);
        Assert.True(toSynonym > toUnrelated + 0.1f, $"cos({word}, {synonym}) = {toSynonym:F2}, cos({word}, {unrelated}) = {toUnrelated:F2}");
    }

    [Fact]
    public async Task GenerateAsync_Paraphrase_PrefersTheAnsweringPassage()
    {
        var e = await Shared.Value.GenerateAsync([
            "I want to serve a trained model to lots of users",
            "FastAPI is an excellent choice for AI and machine learning services, microservices and applications that expect high traffic.",
            "Flask remains an excellent educational tool because its simplicity helps developers understand how web applications work.",
        ]);

        Assert.True(
            TensorPrimitives.CosineSimilarity(e[0].Vector.Span, e[1].Vector.Span) > TensorPrimitives.CosineSimilarity(e[0].Vector.Span, e[2].Vector.Span));
    }

    [Fact]
    public async Task GenerateAsync_AnyText_ReturnsUnitVectorsTaggedWithTheModel()
    {
        var generator = Shared.Value;
        var e = await generator.GenerateAsync(["Which framework should beginners learn first?", "qzxv"]);

        Assert.All(e, embedding =>
        {
            Assert.Equal(generator.Model.Dimensions, embedding.Vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(embedding.Vector.Span), 3);
            Assert.Equal(generator.Model.Fingerprint, embedding.ModelId);
        });
    }

    [Fact]
    public void GetService_Metadata_NamesTheModelAndItsDimensions()
    {
        var metadata = Shared.Value.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal(Shared.Value.Model.Dimensions, metadata.DefaultModelDimensions);
        Assert.StartsWith("static-", metadata.DefaultModelId);
    }

    [Fact]
    public async Task GenerateAsync_WrongDimensionsRequested_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Shared.Value.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 3 }));
    }

    [Fact]
    public void Load_TruncatedFile_ThrowsInvalidDataNamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"static-truncated-{Guid.NewGuid():N}.bin");
        try
        {
            var bytes = File.ReadAllBytes(ModelPath);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

            var error = Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(path));
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_NotAModel_ThrowsInvalidData()
    {
        var path = Path.Combine(Path.GetTempPath(), $"static-bad-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllText(path, "this is a text file, not an embedding model at all");

            Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingTheFile()
    {
        var error = Assert.Throws<FileNotFoundException>(() => StaticEmbeddingModel.Load("no/such/model.bin"));

        Assert.Contains("no/such/model.bin", error.Message);
    }
}
