using System.Text.Json;
using ChatAdvisor.Core.Embeddings;

namespace ChatAdvisor.Core.Tests.Embeddings;

/// <summary>One golden case of the encoder: a text, the ids the reference tokenizer gave it, and the reference embeddings.</summary>
public sealed record EncoderGoldenCase(string Text, int[] Ids, float[] Mean, float[] Cls);

/// <summary>The generated bge-micro-v2-shaped model, written once per test class into a temporary folder, and the goldens.</summary>
public sealed class GeneratedModelFixture : IDisposable
{
    public GeneratedModelFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "chatadvisor-generated-bert-" + Guid.NewGuid().ToString("N"));
        Sha256 = GeneratedBertModel.Write(Folder, SharedModels.Require("all-MiniLM-L6-v2", "vocab.txt"));
        Generator = BertEmbeddingGenerator.Load(Folder);
        (TorchSha256, Torch) = ReadGolden("encoder-golden.json");
        (OrtSha256, Ort) = ReadGolden("encoder-golden-ort.json");
    }

    public string Folder { get; }

    public string Sha256 { get; }

    public BertEmbeddingGenerator Generator { get; }

    /// <summary>The PyTorch float64 reference (with the texts' ids from @huggingface/transformers).</summary>
    public IReadOnlyList<EncoderGoldenCase> Torch { get; }

    public string TorchSha256 { get; }

    /// <summary>onnxruntime-node on the same model exported to ONNX.</summary>
    public IReadOnlyList<EncoderGoldenCase> Ort { get; }

    public string OrtSha256 { get; }

    private static (string Sha, List<EncoderGoldenCase> Cases) ReadGolden(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedModels.Golden(name)));
        var cases = document.RootElement.GetProperty("cases").Deserialize<List<EncoderGoldenCase>>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return (document.RootElement.GetProperty("header").GetProperty("modelSha256").GetString()!, cases);
    }

    public void Dispose()
    {
        Generator.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
