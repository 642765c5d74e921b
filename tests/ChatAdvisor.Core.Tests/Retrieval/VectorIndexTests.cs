using System.Numerics.Tensors;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Tests.Retrieval;

public class VectorIndexTests
{
    private static float[] RandomUnit(Random random, int dimensions)
    {
        var v = new float[dimensions];
        for (int i = 0; i < v.Length; i++)
            v[i] = (float)(random.NextDouble() * 2 - 1);
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(37)]
    [InlineData(256)]
    public void DotInt8_AnyLength_EqualsTheScalarSum(int length)
    {
        var random = new Random(length);
        var x = new sbyte[length];
        var y = new sbyte[length];
        for (int i = 0; i < length; i++)
        {
            // Extremes as well as random values: the widened products must not overflow.
            x[i] = i % 3 == 0 ? (sbyte)-127 : (sbyte)random.Next(-127, 128);
            y[i] = i % 3 == 0 ? (sbyte)-127 : (sbyte)random.Next(-127, 128);
        }
        int expected = 0;
        for (int i = 0; i < length; i++)
            expected += x[i] * y[i];

        Assert.Equal(expected, VectorIndex.DotInt8(x, y));
    }

    [Fact]
    public void Search_QueryNearOneVector_RanksItFirstWithItsCosine()
    {
        var random = new Random(7);
        var vectors = Enumerable.Range(0, 200).Select(_ => RandomUnit(random, 256)).ToList();
        var index = VectorIndex.Build("test", 256, [.. vectors.Select(v => new ReadOnlyMemory<float>(v))]);
        var query = vectors[123].Select((x, i) => x + 0.05f * vectors[7][i]).ToArray();
        TensorPrimitives.Divide(query, TensorPrimitives.Norm(query), query);

        var hits = index.Search(query, 3);

        Assert.Equal(123, hits[0].Document);
        Assert.Equal(TensorPrimitives.CosineSimilarity(query, vectors[123]), hits[0].Score, 0.01f);
        // 256 int8 values, a float scale and the chunk's first-row entry.
        Assert.Equal(264, index.MemoryBytes / index.Count);
    }

    [Fact]
    public void Quantize_UnitVectors_KeepCosineWithTheOriginalAbove0999()
    {
        var random = new Random(11);
        for (int n = 0; n < 50; n++)
        {
            var v = RandomUnit(random, 256);
            var q = new sbyte[256];
            float scale = VectorIndex.Quantize(v, q);
            var restored = q.Select(b => b * scale).ToArray();

            Assert.True(TensorPrimitives.CosineSimilarity(v, restored) > 0.999f);
        }
    }

    [Fact]
    public void WriteThenRead_Index_GivesTheSameResults()
    {
        var random = new Random(3);
        var vectors = Enumerable.Range(0, 50).Select(_ => RandomUnit(random, 64)).ToList();
        var index = VectorIndex.Build("model-a", 64, [.. vectors.Select(v => new ReadOnlyMemory<float>(v))]);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            index.Write(writer);
        buffer.Position = 0;

        var read = VectorIndex.Read(new BinaryReader(buffer));

        Assert.Equal("model-a", read.ModelId);
        Assert.Equal(index.Search(vectors[9], 5), read.Search(vectors[9], 5));
    }
}
