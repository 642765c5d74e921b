using ChatAdvisor.Core.Embeddings.Bert;

namespace ChatAdvisor.Core.Tests.Embeddings;

public sealed class PackedLinearTests
{
    [Theory]
    [InlineData(1, 384, 48)]
    [InlineData(13, 384, 1152)] // two 6-row blocks and a remainder row
    [InlineData(6, 1536, 384)]
    [InlineData(5, 40, 24)]     // 24 outputs: not a multiple of the panel width, so the portable path
    public void Apply_RandomLayer_MatchesADoublePrecisionProduct(int rows, int inputs, int outputs)
    {
        var random = new Random(rows * 31 + inputs);
        float[] Fill(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var weight = Fill(outputs * inputs);
        var bias = Fill(outputs);
        var x = Fill(rows * inputs);

        foreach (var layer in new[] { new PackedLinear(weight, bias, outputs, inputs), new PackedLinear(weight, bias, outputs, inputs, allowPacked: false) })
        {
            var y = new float[rows * outputs];
            layer.Apply(x, y, rows);
            for (var r = 0; r < rows; r++)
            {
                for (var o = 0; o < outputs; o++)
                {
                    var expected = (double)bias[o];
                    for (var k = 0; k < inputs; k++)
                        expected += (double)x[r * inputs + k] * weight[o * inputs + k];
                    Assert.True(Math.Abs(expected - y[r * outputs + o]) < 1e-4 * Math.Sqrt(inputs),
                        $"packed={layer.IsPacked} row {r} output {o}: expected {expected}, got {y[r * outputs + o]}");
                }
            }
        }
    }
}
