using System.Numerics.Tensors;
using System.Text.Json;
using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Core.Embeddings.Bert;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace ChatAdvisor.Core.Tests.Embeddings;

public sealed class BertEmbeddingGeneratorTests(GeneratedModelFixture model, ITestOutputHelper output) : IClassFixture<GeneratedModelFixture>
{
    private const double CosineBound = 0.9999;

    [Fact]
    public void GeneratedModel_Weights_AreTheBytesTheReferencesRanOn()
    {
        Assert.Equal(model.TorchSha256, model.Sha256);
        Assert.Equal(model.OrtSha256, model.Sha256);
    }

    [Fact]
    public async Task GenerateAsync_GoldenTexts_MatchPyTorchMeanPooling()
    {
        Assert.True(model.Torch.Count >= 50, $"only {model.Torch.Count} golden texts");
        Assert.All(model.Torch, c => Assert.Equal(c.Ids, model.Generator.Tokenizer.Encode(c.Text, model.Generator.MaxTokens).Ids));

        var embeddings = await model.Generator.GenerateAsync(model.Torch.Select(c => c.Text));

        AssertWithinBound("PyTorch, mean pooling", model.Torch.Select(c => c.Mean).ToList(), embeddings.Select(e => e.Vector.ToArray()).ToList());
    }

    [Fact]
    public void EmbedTokens_ClsPooling_MatchesPyTorch()
    {
        using var cls = BertEmbeddingGenerator.Load(model.Folder, BertPooling.Cls);

        var vectors = cls.EmbedTokens([.. model.Torch.Select(c => c.Ids)]);

        AssertWithinBound("PyTorch, CLS pooling", model.Torch.Select(c => c.Cls).ToList(), vectors);
    }

    [Fact]
    public void EmbedTokens_PortablePaths_MatchPyTorchToo()
    {
        // The code a machine without AVX2/FMA runs: per-output dot products and per-pair attention.
        using var portable = BertEmbeddingGenerator.Load(model.Folder, pooling: null, batchSize: 32, portable: true);

        AssertWithinBound("PyTorch, mean pooling, portable paths", model.Torch.Select(c => c.Mean).ToList(), portable.EmbedTokens([.. model.Torch.Select(c => c.Ids)]));
    }

    [Fact]
    public void EmbedTokens_GoldenTexts_MatchOnnxRuntime()
    {
        using var cls = BertEmbeddingGenerator.Load(model.Folder, BertPooling.Cls);
        var ids = model.Torch.Select(c => c.Ids).ToList();
        Assert.Equal(model.Torch.Select(c => c.Text), model.Ort.Select(c => c.Text));

        AssertWithinBound("onnxruntime, mean pooling", model.Ort.Select(c => c.Mean).ToList(), model.Generator.EmbedTokens(ids));
        AssertWithinBound("onnxruntime, CLS pooling", model.Ort.Select(c => c.Cls).ToList(), cls.EmbedTokens(ids));
    }

    [Fact]
    public async Task EmbedTokens_GoldenTexts_MatchOnnxRuntimeRunNow()
    {
        // The committed ONNX graph references its weights in model.safetensors, so onnxruntime reads the file this test wrote.
        File.Copy(SharedModels.Golden("generated-model.onnx"), Path.Combine(model.Folder, "model.onnx"), overwrite: true);
        var ids = model.Torch.Select(c => c.Ids).ToList();
        var inputs = Path.Combine(model.Folder, "ort-inputs.json");
        await File.WriteAllTextAsync(inputs, JsonSerializer.Serialize(ids));

        var result = await NodeProcess.RunAsync(Path.Combine(RepoPaths.Root, "tools", "golden", "encoder"), ["ort-run.mjs", "embed", model.Folder, inputs]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var ort = JsonSerializer.Deserialize<List<OrtOutput>>(result.StandardOutput, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        using var cls = BertEmbeddingGenerator.Load(model.Folder, BertPooling.Cls);
        AssertWithinBound("onnxruntime run now, mean pooling", ort.Select(o => o.Mean).ToList(), model.Generator.EmbedTokens(ids));
        AssertWithinBound("onnxruntime run now, CLS pooling", ort.Select(o => o.Cls).ToList(), cls.EmbedTokens(ids));
    }

    private sealed record OrtOutput(float[] Mean, float[] Cls);

    [Fact]
    public void Embed_BatchOfMixedLengths_EqualsEmbeddingEachTextAlone()
    {
        var texts = model.Torch.Take(20).Select(c => c.Text).ToList();

        var together = model.Generator.Embed(texts);
        var alone = texts.Select(t => model.Generator.Embed([t])[0]).ToList();

        for (var i = 0; i < texts.Count; i++)
            Assert.True(TensorPrimitives.CosineSimilarity(together[i], alone[i]) > 0.999999, $"text {i} differs when batched");
    }

    [Fact]
    public async Task Embed_ConcurrentCallers_GetTheSameVectors()
    {
        var texts = model.Torch.Take(8).Select(c => c.Text).ToList();
        var expected = model.Generator.Embed(texts);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => model.Generator.Embed(texts))));

        foreach (var result in results)
        {
            for (var i = 0; i < texts.Count; i++)
                Assert.Equal(expected[i], result[i]);
        }
    }

    [Fact]
    public void Embed_TextLongerThanTheModel_IsTruncatedNotRejected()
    {
        var longText = string.Join(' ', Enumerable.Repeat("Django and Flask and FastAPI", 400));

        var vector = model.Generator.Embed([longText])[0];

        Assert.Equal(384, vector.Length);
        Assert.Equal(1.0, TensorPrimitives.Norm(vector), 4);
    }

    [Fact]
    public void GetService_Metadata_DescribesTheModel()
    {
        var metadata = model.Generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal(384, metadata.DefaultModelDimensions);
    }

    private void AssertWithinBound(string reference, IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var cosines = expected.Select((e, i) => (double)TensorPrimitives.CosineSimilarity(e, actual[i])).ToList();
        var worst = cosines.Min();
        var failing = cosines.Count(c => c < CosineBound);
        output.WriteLine($"{reference}: {cosines.Count} texts, worst cosine {worst:F8}, {failing} below {CosineBound}");
        Assert.True(failing == 0,
            $"{reference}: {failing} of {cosines.Count} texts below cosine {CosineBound}; worst {worst:F8} at text {cosines.IndexOf(worst)}");
    }
}
