using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ChatAdvisor.Testing;

/// <summary>
/// Writes the generated BERT model of tools/golden/encoder/make_model.py (bge-micro-v2's shape: 3 layers, hidden 384,
/// 12 heads, intermediate 1536, the 30,522-token BERT vocabulary) by the same documented weight recipe, so tests
/// need neither PyTorch nor a 69 MB file in the repository. The golden file records the sha256 of the file the
/// PyTorch reference ran on; <see cref="Write"/> returns this file's sha256 so a test can prove the weights are identical.
/// </summary>
public static class GeneratedBertModel
{
    public const ulong Seed = 20240521;
    private const int Hidden = 384, Layers = 3, Heads = 12, Intermediate = 1536, Vocab = 30522, Positions = 512, Types = 2;

    /// <summary>Writes config.json, model.safetensors, 1_Pooling/config.json, sentence_bert_config.json and vocab.txt into <paramref name="folder"/>.</summary>
    /// <returns>The sha256 (lower-case hex) of model.safetensors.</returns>
    public static string Write(string folder, string vocabularyPath)
    {
        Directory.CreateDirectory(Path.Combine(folder, "1_Pooling"));
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""
            {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": {{Hidden}}, "num_hidden_layers": {{Layers}},
             "num_attention_heads": {{Heads}}, "intermediate_size": {{Intermediate}}, "hidden_act": "gelu",
             "max_position_embeddings": {{Positions}}, "type_vocab_size": {{Types}}, "vocab_size": {{Vocab}}, "layer_norm_eps": 1e-12, "pad_token_id": 0}
            """);
        File.WriteAllText(Path.Combine(folder, "1_Pooling", "config.json"),
            """{"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true}""");
        File.WriteAllText(Path.Combine(folder, "sentence_bert_config.json"), """{"max_seq_length": 512, "do_lower_case": false}""");
        File.Copy(vocabularyPath, Path.Combine(folder, "vocab.txt"), overwrite: true);

        var tensors = TensorShapes();
        var entries = new List<string>();
        long offset = 0;
        foreach (var (name, shape, _) in tensors)
        {
            var size = shape.Aggregate(1L, (a, b) => a * b) * 4;
            entries.Add($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(',', shape)}],\"data_offsets\":[{offset},{offset + size}]}}");
            offset += size;
        }
        var header = "{\"__metadata__\":{\"format\":\"pt\"}," + string.Join(',', entries) + "}";
        header += new string(' ', (8 - header.Length % 8) % 8);

        var path = Path.Combine(folder, "model.safetensors");
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(Encoding.ASCII.GetBytes(header));
            var buffer = new byte[1 << 16];
            for (var t = 0; t < tensors.Count; t++)
            {
                var (_, shape, kind) = tensors[t];
                var count = shape.Aggregate(1L, (a, b) => a * b);
                var filled = 0;
                for (long i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(filled), Weight(t, i, kind));
                    filled += 4;
                    if (filled == buffer.Length)
                    {
                        stream.Write(buffer);
                        filled = 0;
                    }
                }
                stream.Write(buffer, 0, filled);
            }
        }
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    /// <summary>Element <paramref name="index"/> of tensor number <paramref name="tensor"/>: the recipe of make_model.py.</summary>
    private static float Weight(int tensor, long index, string kind)
    {
        var z = (Seed << 48) ^ ((ulong)tensor << 32) ^ (ulong)index;
        var k = (long)(SplitMix64(z) >> 48) - 32768;
        var scale = kind switch { "matrix" => 1.0 / 32, "sharp" => 1.0 / 8, "bias" => 1.0 / 16, _ => 1.0 / 8 };
        var value = k * (scale / 32768.0);
        return (float)(kind == "gain" ? value + 1.0 : value);
    }

    private static ulong SplitMix64(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static List<(string Name, long[] Shape, string Kind)> TensorShapes()
    {
        var shapes = new List<(string Name, long[] Shape, string Kind)>
        {
            ("embeddings.word_embeddings.weight", [Vocab, Hidden], "matrix"),
            ("embeddings.position_embeddings.weight", [Positions, Hidden], "matrix"),
            ("embeddings.token_type_embeddings.weight", [Types, Hidden], "matrix"),
            ("embeddings.LayerNorm.weight", [Hidden], "gain"),
            ("embeddings.LayerNorm.bias", [Hidden], "bias"),
        };
        for (var layer = 0; layer < Layers; layer++)
        {
            var p = $"encoder.layer.{layer}.";
            shapes.Add((p + "attention.self.query.weight", [Hidden, Hidden], "sharp"));
            shapes.Add((p + "attention.self.query.bias", [Hidden], "bias"));
            shapes.Add((p + "attention.self.key.weight", [Hidden, Hidden], "sharp"));
            shapes.Add((p + "attention.self.key.bias", [Hidden], "bias"));
            shapes.Add((p + "attention.self.value.weight", [Hidden, Hidden], "matrix"));
            shapes.Add((p + "attention.self.value.bias", [Hidden], "bias"));
            shapes.Add((p + "attention.output.dense.weight", [Hidden, Hidden], "matrix"));
            shapes.Add((p + "attention.output.dense.bias", [Hidden], "bias"));
            shapes.Add((p + "attention.output.LayerNorm.weight", [Hidden], "gain"));
            shapes.Add((p + "attention.output.LayerNorm.bias", [Hidden], "bias"));
            shapes.Add((p + "intermediate.dense.weight", [Intermediate, Hidden], "matrix"));
            shapes.Add((p + "intermediate.dense.bias", [Intermediate], "bias"));
            shapes.Add((p + "output.dense.weight", [Hidden, Intermediate], "matrix"));
            shapes.Add((p + "output.dense.bias", [Hidden], "bias"));
            shapes.Add((p + "output.LayerNorm.weight", [Hidden], "gain"));
            shapes.Add((p + "output.LayerNorm.bias", [Hidden], "bias"));
        }
        // make_model.py orders tensors by name (code-point order).
        shapes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return shapes;
    }
}
