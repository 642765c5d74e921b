using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChatAdvisor.Core.Embeddings.Bert;

/// <summary>
/// A linear layer y = x·Wᵀ + b whose weight is stored for a fast single-threaded matrix product: W (PyTorch's
/// [outputs, inputs] layout) is re-packed into column panels of 16 outputs, each panel [inputs × 16] contiguous,
/// so the inner loop streams one panel while 6 rows of x are broadcast into 12 AVX registers of accumulators
/// (the classic 6×16 register-blocked kernel).
/// </summary>
/// <remarks>
/// The packed path needs AVX2 with FMA and an output count divisible by 16 (true of every BERT size); otherwise
/// the layer falls back to one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per
/// output. Immutable after construction and thread-safe. The benchmark project measures what the kernel buys.
/// </remarks>
internal sealed class PackedLinear
{
    private const int PanelWidth = 16;
    private const int RowBlock = 6;

    private readonly float[] _weights;
    private readonly float[] _bias;
    private readonly bool _packed;

    /// <summary>Creates the layer from a row-major [outputs, inputs] weight and its bias.</summary>
    /// <param name="weight">The weight, [outputs, inputs] row-major.</param>
    /// <param name="bias">The bias, one per output.</param>
    /// <param name="outputs">The number of outputs.</param>
    /// <param name="inputs">The number of inputs.</param>
    /// <param name="allowPacked">False forces the portable path (tests compare the two).</param>
    public PackedLinear(float[] weight, float[] bias, int outputs, int inputs, bool allowPacked = true)
    {
        if (weight.Length != outputs * inputs || bias.Length != outputs)
            throw new ArgumentException($"A linear layer of {outputs}x{inputs} needs {outputs * inputs} weights and {outputs} biases.");
        Outputs = outputs;
        Inputs = inputs;
        _bias = bias;
        _packed = allowPacked && IsSupported && outputs % PanelWidth == 0;
        if (!_packed)
        {
            _weights = weight;
            return;
        }
        _weights = GC.AllocateUninitializedArray<float>(weight.Length);
        for (var panel = 0; panel < outputs / PanelWidth; panel++)
        {
            var panelBase = panel * inputs * PanelWidth;
            for (var k = 0; k < inputs; k++)
            {
                for (var j = 0; j < PanelWidth; j++)
                    _weights[panelBase + k * PanelWidth + j] = weight[(panel * PanelWidth + j) * inputs + k];
            }
        }
    }

    /// <summary>True when this machine runs the packed AVX2/FMA kernel.</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>True when this layer runs the packed kernel.</summary>
    public bool IsPacked => _packed;

    /// <summary>The number of outputs per row.</summary>
    public int Outputs { get; }

    /// <summary>The number of inputs per row.</summary>
    public int Inputs { get; }

    /// <summary>Computes <paramref name="output"/>[rows, Outputs] = <paramref name="input"/>[rows, Inputs]·Wᵀ + b.</summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output, int rows)
    {
        if (input.Length < rows * Inputs || output.Length < rows * Outputs)
            throw new ArgumentException("The input or output buffer is too small for the row count.");
        if (!_packed)
        {
            for (var r = 0; r < rows; r++)
            {
                var x = input.Slice(r * Inputs, Inputs);
                var y = output.Slice(r * Outputs, Outputs);
                for (var o = 0; o < Outputs; o++)
                    y[o] = TensorPrimitives.Dot(x, _weights.AsSpan(o * Inputs, Inputs)) + _bias[o];
            }
            return;
        }
        ApplyPacked(input, output, rows);
    }

    private unsafe void ApplyPacked(ReadOnlySpan<float> input, Span<float> output, int rows)
    {
        var k = Inputs;
        var n = Outputs;
        fixed (float* a = input)
        fixed (float* c = output)
        fixed (float* w = _weights)
        fixed (float* bias = _bias)
        {
            // Panels outermost: one panel (inputs × 16 floats) stays in L2 while every row block streams past it.
            for (var panel = 0; panel < n / PanelWidth; panel++)
            {
                var b = w + (long)panel * k * PanelWidth;
                var column = panel * PanelWidth;
                var bias0 = Avx.LoadVector256(bias + column);
                var bias1 = Avx.LoadVector256(bias + column + 8);
                var r = 0;
                for (; r + RowBlock <= rows; r += RowBlock)
                    Kernel6x16(a + (long)r * k, k, b, c + (long)r * n + column, n, bias0, bias1);
                for (; r < rows; r++)
                    Kernel1x16(a + (long)r * k, k, b, c + (long)r * n + column, bias0, bias1);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Kernel6x16(float* a, int k, float* b, float* c, int ldc, Vector256<float> bias0, Vector256<float> bias1)
    {
        Vector256<float> c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1;
        Vector256<float> c30 = bias0, c31 = bias1, c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1;
        float* a0 = a, a1 = a + k, a2 = a + 2 * k, a3 = a + 3 * k, a4 = a + 4 * k, a5 = a + 5 * k;
        for (var i = 0; i < k; i++)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            b += PanelWidth;
            var x = Vector256.Create(a0[i]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[i]);
            c10 = Fma.MultiplyAdd(x, b0, c10);
            c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[i]);
            c20 = Fma.MultiplyAdd(x, b0, c20);
            c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[i]);
            c30 = Fma.MultiplyAdd(x, b0, c30);
            c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(a4[i]);
            c40 = Fma.MultiplyAdd(x, b0, c40);
            c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(a5[i]);
            c50 = Fma.MultiplyAdd(x, b0, c50);
            c51 = Fma.MultiplyAdd(x, b1, c51);
        }
        Avx.Store(c, c00);
        Avx.Store(c + 8, c01);
        Avx.Store(c + ldc, c10);
        Avx.Store(c + ldc + 8, c11);
        Avx.Store(c + 2 * ldc, c20);
        Avx.Store(c + 2 * ldc + 8, c21);
        Avx.Store(c + 3 * ldc, c30);
        Avx.Store(c + 3 * ldc + 8, c31);
        Avx.Store(c + 4 * ldc, c40);
        Avx.Store(c + 4 * ldc + 8, c41);
        Avx.Store(c + 5 * ldc, c50);
        Avx.Store(c + 5 * ldc + 8, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Kernel1x16(float* a, int k, float* b, float* c, Vector256<float> bias0, Vector256<float> bias1)
    {
        Vector256<float> c0 = bias0, c1 = bias1;
        for (var i = 0; i < k; i++)
        {
            var x = Vector256.Create(a[i]);
            c0 = Fma.MultiplyAdd(x, Avx.LoadVector256(b), c0);
            c1 = Fma.MultiplyAdd(x, Avx.LoadVector256(b + 8), c1);
            b += PanelWidth;
        }
        Avx.Store(c, c0);
        Avx.Store(c + 8, c1);
    }
}
