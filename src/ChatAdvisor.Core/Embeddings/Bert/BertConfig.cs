using System.Text.Json;

namespace ChatAdvisor.Core.Embeddings.Bert;

/// <summary>How a sentence embedding is made from the encoder's token vectors.</summary>
public enum BertPooling
{
    /// <summary>The average of the text's token vectors (padding excluded), as all-MiniLM-L6-v2 does.</summary>
    Mean,

    /// <summary>The vector of the [CLS] token, as the bge models do.</summary>
    Cls,
}

/// <summary>The shape of a BERT encoder, read from a Hugging Face config.json.</summary>
public sealed record BertConfig(
    int VocabSize,
    int HiddenSize,
    int LayerCount,
    int HeadCount,
    int IntermediateSize,
    int MaxPositions,
    int TypeVocabSize,
    float LayerNormEps,
    bool TanhGelu)
{
    /// <summary>The width of one attention head.</summary>
    public int HeadSize => HiddenSize / HeadCount;

    /// <summary>Multiply-adds times two per token, not counting attention's share that grows with length: the model's FLOPs per token.</summary>
    public long FlopsPerToken => 2L * LayerCount * (4L * HiddenSize * HiddenSize + 2L * HiddenSize * IntermediateSize);

    /// <summary>Reads config.json.</summary>
    /// <exception cref="InvalidDataException">A value is missing or unsupported; the message names the file and the key.</exception>
    public static BertConfig Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;

        int Int(string key, int? fallback = null)
        {
            if (root.TryGetProperty(key, out var value) && value.TryGetInt32(out var result))
                return result;
            return fallback ?? throw new InvalidDataException($"{path} has no integer \"{key}\".");
        }

        var activation = root.TryGetProperty("hidden_act", out var act) ? act.GetString() : "gelu";
        var tanh = activation switch
        {
            "gelu" => false,
            "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => true,
            _ => throw new InvalidDataException($"{path}: hidden_act \"{activation}\" is not supported (gelu, gelu_new, gelu_pytorch_tanh)."),
        };
        if (root.TryGetProperty("position_embedding_type", out var positions) && positions.GetString() is { } type && type != "absolute")
            throw new InvalidDataException($"{path}: position_embedding_type \"{type}\" is not supported (absolute).");

        var config = new BertConfig(
            VocabSize: Int("vocab_size"),
            HiddenSize: Int("hidden_size"),
            LayerCount: Int("num_hidden_layers"),
            HeadCount: Int("num_attention_heads"),
            IntermediateSize: Int("intermediate_size"),
            MaxPositions: Int("max_position_embeddings", 512),
            TypeVocabSize: Int("type_vocab_size", 2),
            LayerNormEps: root.TryGetProperty("layer_norm_eps", out var eps) ? (float)eps.GetDouble() : 1e-12f,
            TanhGelu: tanh);
        if (config.HiddenSize % config.HeadCount != 0)
            throw new InvalidDataException($"{path}: hidden_size {config.HiddenSize} is not a multiple of num_attention_heads {config.HeadCount}.");
        return config;
    }
}
