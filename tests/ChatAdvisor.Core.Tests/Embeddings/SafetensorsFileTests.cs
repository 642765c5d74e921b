using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Core.Embeddings.Safetensors;

namespace ChatAdvisor.Core.Tests.Embeddings;

public sealed class SafetensorsFileTests : IDisposable
{
    private const long UpstreamModelSize = 90_868_376; // all-MiniLM-L6-v2 model.safetensors, from the LFS pointer
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "chatadvisor-safetensors-" + Guid.NewGuid().ToString("N"));

    public SafetensorsFileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // The first file is the upstream export (its size is the LFS pointer's); the second, a re-export without position_ids.
    [Theory]
    [InlineData("model.safetensors.TRUNCATED_851968B", UpstreamModelSize)]
    [InlineData("model.safetensors.TRUNCATED_1835008B_bharath", 90_864_192L)]
    public void ReadHeader_TruncatedUpstreamFile_DescribesTheWholeMiniLmModel(string name, long completeSize)
    {
        var file = SafetensorsFile.ReadHeader(SharedModels.Require("all-MiniLM-L6-v2", "_partial", name));

        Assert.Equal(completeSize, file.ExpectedLength);
        Assert.Equal([30522L, 384L], file.Tensors["embeddings.word_embeddings.weight"].Shape);
        Assert.Equal([1536L, 384L], file.Tensors["encoder.layer.5.intermediate.dense.weight"].Shape);
        Assert.Equal(6, file.Tensors.Keys.Count(k => k.EndsWith(".attention.self.query.weight", StringComparison.Ordinal)));
        Assert.Equal("pt", file.Metadata["format"]);
    }

    [Fact]
    public void ReadFloats_TruncatedFile_ReadsTheTensorsThatArePresent()
    {
        var file = SafetensorsFile.ReadHeader(SharedModels.Require("all-MiniLM-L6-v2", "_partial", "model.safetensors.TRUNCATED_851968B"));

        var gain = file.ReadFloats("embeddings.LayerNorm.weight");

        Assert.Equal(384, gain.Length);
        Assert.All(gain, g => Assert.InRange(g, 0.01f, 10f));
        Assert.Throws<InvalidDataException>(() => file.ReadFloats("encoder.layer.5.output.dense.weight"));
    }

    [Theory]
    [InlineData("model.safetensors.TRUNCATED_851968B", UpstreamModelSize)]
    [InlineData("model.safetensors.TRUNCATED_1835008B_bharath", 90_864_192L)]
    public void Open_TruncatedFile_ThrowsNamingTheFileAndBothSizes(string name, long completeSize)
    {
        var path = SharedModels.Require("all-MiniLM-L6-v2", "_partial", name);

        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Contains(completeSize.ToString("N0"), error.Message, StringComparison.Ordinal);
        Assert.Contains(new FileInfo(path).Length.ToString("N0"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelFolderWithTruncatedWeights_ThrowsNamingTheWeightsFile()
    {
        foreach (var name in new[] { "config.json", "vocab.txt", "tokenizer_config.json" })
            File.Copy(SharedModels.Require("all-MiniLM-L6-v2", name), Path.Combine(_folder, name));
        Directory.CreateDirectory(Path.Combine(_folder, "1_Pooling"));
        File.Copy(SharedModels.Require("all-MiniLM-L6-v2", "1_Pooling", "config.json"), Path.Combine(_folder, "1_Pooling", "config.json"));
        File.Copy(SharedModels.Require("all-MiniLM-L6-v2", "_partial", "model.safetensors.TRUNCATED_1835008B_bharath"), Path.Combine(_folder, "model.safetensors"));

        var error = Assert.Throws<InvalidDataException>(() => BertEmbeddingGenerator.Load(_folder));

        Assert.Contains(Path.Combine(_folder, "model.safetensors"), error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_IncompleteModelFolder_NamesEveryMissingFile()
    {
        File.Copy(SharedModels.Require("all-MiniLM-L6-v2", "config.json"), Path.Combine(_folder, "config.json"));

        var error = Assert.Throws<FileNotFoundException>(() => BertEmbeddingGenerator.Load(_folder));

        Assert.Contains(Path.Combine(_folder, "vocab.txt"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder, "model.safetensors"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder, "1_Pooling", "config.json"), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.Combine(_folder, "config.json") + ",", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadHeader_NotASafetensorsFile_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_folder, "model.safetensors");
        File.WriteAllText(path, "<html>404 Not Found</html>");

        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFile.ReadHeader(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
