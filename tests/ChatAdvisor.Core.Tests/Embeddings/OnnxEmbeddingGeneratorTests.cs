using System.Numerics.Tensors;
using System.Text.Json;
using ChatAdvisor.Core.Embeddings;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Tests.Embeddings;

public sealed class OnnxEmbeddingGeneratorTests
{
    private static float[] ReferenceValues(string model, out float tolerance)
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(TestModels.Fixture("reference-vectors.json")));
        tolerance = reference.RootElement.GetProperty("tolerance_abs").GetSingle();
        return [.. reference.RootElement.GetProperty(model).EnumerateArray().Select(e => e.GetSingle())];
    }

    [Theory]
    [InlineData(EmbeddingModel.MiniLmName)]
    [InlineData(EmbeddingModel.ArcticEmbedXsName)]
    public async Task GenerateAsync_PackagedModel_MatchesTheFastembedReferenceVector(string name)
    {
        var expected = ReferenceValues(name, out var tolerance);
        var generator = name == EmbeddingModel.MiniLmName ? TestModels.MiniLm : TestModels.Arctic;

        var embedding = (await generator.GenerateAsync(["hello world"]))[0].Vector.ToArray();

        Assert.Equal(384, embedding.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(embedding), 4);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - embedding[i]) <= tolerance, $"{name} value {i}: expected {expected[i]}, got {embedding[i]} (tolerance {tolerance})");
    }

    [Fact]
    public async Task GenerateAsync_QueryAboutDjangoSites_RanksTheSentenceNamingThemFirst()
    {
        string[] passages =
        [
            "Django: Instagram, National Geographic, Spotify and Pinterest are built with Django.",
            "Flask: Flask is a lightweight micro framework that gives you the essentials.",
            "FastAPI: FastAPI is a modern framework for building APIs with Python type hints.",
        ];
        var documents = await TestModels.Arctic.GenerateAsync(passages);

        var query = (await TestModels.Arctic.GenerateAsync(["Which well-known sites run on Django?"], EmbeddingInput.ForQuery()))[0].Vector;

        var scores = documents.Select(d => TensorPrimitives.Dot(query.Span, d.Vector.Span)).ToArray();
        Assert.True(scores[0] > scores[1] + 0.05 && scores[0] > scores[2] + 0.05, $"scores: {string.Join(", ", scores)}");
    }

    [Fact]
    public async Task GenerateAsync_QueryInput_GetsTheModelsPrefixAndPassagesDoNot()
    {
        const string text = "Which framework has an admin panel?";
        var asQuery = (await TestModels.Arctic.GenerateAsync([text], EmbeddingInput.ForQuery()))[0].Vector.ToArray();
        var asPassage = (await TestModels.Arctic.GenerateAsync([text]))[0].Vector.ToArray();
        var prefixed = (await TestModels.Arctic.GenerateAsync([TestModels.Arctic.QueryPrefix + text]))[0].Vector.ToArray();

        Assert.StartsWith("Represent this sentence", TestModels.Arctic.QueryPrefix, StringComparison.Ordinal);
        Assert.True(TensorPrimitives.CosineSimilarity(asQuery, prefixed) > 0.9999f);
        Assert.True(TensorPrimitives.CosineSimilarity(asQuery, asPassage) < 0.99f);
    }

    [Fact]
    public void Embed_BatchOfMixedLengths_EqualsOneAtATime()
    {
        string[] texts =
        [
            "Django",
            "Flask gives you the essentials and lets you pick the rest: an ORM, forms, authentication.",
            "FastAPI is built on Starlette and Pydantic, with automatic OpenAPI documentation and async request handlers.",
            "",
            "Which one?",
        ];

        var batched = TestModels.Arctic.Embed(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            var single = TestModels.Arctic.Embed([texts[i]])[0];
            Assert.True(TensorPrimitives.CosineSimilarity(batched[i], single) > 0.9999f, $"text {i} differs when batched");
        }
    }

    [Fact]
    public void Embed_ManySmallBatchesTwoAtATime_EachVectorLandsInItsPlace()
    {
        using var generator = TestModels.Create(EmbeddingModel.ArcticEmbedXsName, new EmbeddingsOptions { BatchSize = 2, Threads = 2 });
        string[] texts = [.. Enumerable.Range(1, 9).Select(i => string.Join(' ', Enumerable.Repeat($"word{i}", i)) + " Django")];

        var together = generator.Embed(texts);

        for (var i = 0; i < texts.Length; i++)
            Assert.True(TensorPrimitives.CosineSimilarity(together[i], TestModels.Arctic.Embed([texts[i]])[0]) > 0.9999f, $"text {i} is not its own vector");
    }

    [Fact]
    public void Encode_TextLongerThanTheModelReads_IsCutBetweenClsAndSep()
    {
        var generator = TestModels.Create(EmbeddingModel.ArcticEmbedXsName, new EmbeddingsOptions { MaxTokens = 16 });

        var ids = generator.Encode(string.Join(' ', Enumerable.Repeat("django flask fastapi", 50)));

        Assert.Equal(16, ids.Length);
        Assert.Equal(generator.Tokenizer.ClassificationTokenId, ids[0]);
        Assert.Equal(generator.Tokenizer.SeparatorTokenId, ids[^1]);
    }

    [Fact]
    public async Task FromFolder_OnnxWithTokenizerJsonOnly_EmbedsLikeThePackagedModel()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "onnx"));
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "onnx", "model.onnx"), TestModels.MiniLm.Model.ReadGraph());
        File.Copy(TestModels.Fixture("all-MiniLM-L6-v2", "tokenizer.json"), Path.Combine(folder.Path, "tokenizer.json"));
        Directory.CreateDirectory(Path.Combine(folder.Path, "1_Pooling"));
        File.Copy(TestModels.Fixture("all-MiniLM-L6-v2", "1_Pooling", "config.json"), Path.Combine(folder.Path, "1_Pooling", "config.json"));

        var model = EmbeddingModel.FromFolder(folder.Path);
        using var generator = new OnnxEmbeddingGenerator(model, BertTokenCounter.CreateTokenizer(model), new EmbeddingsOptions());
        var own = (await generator.GenerateAsync(["Which framework should a beginner pick?"]))[0].Vector.ToArray();
        var packaged = (await TestModels.MiniLm.GenerateAsync(["Which framework should a beginner pick?"]))[0].Vector.ToArray();

        Assert.Equal(EmbeddingPooling.Mean, model.Pooling);
        Assert.True(TensorPrimitives.CosineSimilarity(own, packaged) > 0.9999f);
        Assert.NotEqual(TestModels.MiniLm.Model.Id, model.Id);
    }

    [Fact]
    public void CheckFolder_WithoutGraphOrVocabulary_NamesWhatIsMissing()
    {
        using var folder = new TempFolder();

        Assert.Contains("no model.onnx", EmbeddingModel.CheckFolder(folder.Path), StringComparison.Ordinal);
        File.WriteAllBytes(Path.Combine(folder.Path, "model.onnx"), [1, 2, 3]);
        Assert.Contains("neither vocab.txt nor tokenizer.json", EmbeddingModel.CheckFolder(folder.Path), StringComparison.Ordinal);
        Assert.Contains("does not exist", EmbeddingModel.CheckFolder(Path.Combine(folder.Path, "nowhere")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStatus_BeforeAndAfterLoading_SaysSo()
    {
        using var generator = TestModels.Create(EmbeddingModel.MiniLmName);

        Assert.False(generator.GetStatus().Ready);
        Assert.Contains("loading", generator.GetStatus().Detail, StringComparison.Ordinal);
        await generator.LoadAsync();
        Assert.True(generator.GetStatus().Ready);
        Assert.Contains("384 dimensions", generator.GetStatus().Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DamagedGraph_IsNotReadyAndSaysWhy()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(Path.Combine(folder.Path, "model.onnx"), [1, 2, 3, 4]);
        File.Copy(TestModels.Fixture("all-MiniLM-L6-v2", "vocab.txt"), Path.Combine(folder.Path, "vocab.txt"));
        var model = EmbeddingModel.FromFolder(folder.Path);
        using var generator = new OnnxEmbeddingGenerator(model, BertTokenCounter.CreateTokenizer(model), new EmbeddingsOptions());

        Assert.ThrowsAny<Exception>(() => generator.Embed(["hello"]));
        Assert.False(generator.GetStatus().Ready);
        Assert.Contains("could not be loaded", generator.GetStatus().Detail, StringComparison.Ordinal);
    }
}
