using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChatAdvisor.Core.Embeddings;

namespace ChatAdvisor.Core.Tests.Embeddings;

/// <summary>
/// <see cref="BertTextTokenizer"/> (ML.Tokenizers' WordPiece behind our BERT normalisation), as the product creates it for its
/// models, against an independent reference:
/// @huggingface/transformers in Node.js, once through the committed golden file (2,100 texts) and once live on freshly
/// generated texts. On a mismatch both sides are printed.
/// </summary>
public sealed class BertTokenizerParityTests
{
    private static readonly Lazy<string[]> Vocabulary = new(() => File.ReadAllLines(TestModels.Fixture("all-MiniLM-L6-v2", "vocab.txt")));

    private sealed record GoldenCase(string Source, string Text, int[] Ids);

    private static string Describe(IEnumerable<int> ids) => string.Join(' ', ids.Select(id => $"{Vocabulary.Value[id]}({id})"));

    private static string Compare(IReadOnlyList<string> texts, IReadOnlyList<int[]> expected, OnnxEmbeddingGenerator generator, out int mismatches)
    {
        var report = new StringBuilder();
        mismatches = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            var actual = generator.Encode(texts[i]);
            if (actual.SequenceEqual(expected[i]))
                continue;
            if (++mismatches <= 10)
            {
                report.AppendLine(JsonSerializer.Serialize(texts[i]));
                report.AppendLine($"  @huggingface/transformers: {Describe(expected[i])}");
                report.AppendLine($"  ML.Tokenizers:             {Describe(actual)}");
            }
        }
        return report.ToString();
    }

    [Fact]
    public void Encode_GoldenTexts_MatchHuggingFaceTransformersIds()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "ChatAdvisor.Core.Tests", "Embeddings", "Golden", "wordpiece-golden.json")));
        var header = document.RootElement.GetProperty("header");
        var cases = document.RootElement.GetProperty("cases").Deserialize<List<GoldenCase>>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        // The packaged models' vocabulary is the one the reference tokenized with.
        var reference = File.ReadAllBytes(TestModels.Fixture("all-MiniLM-L6-v2", "vocab.txt"));
        Assert.Equal(header.GetProperty("vocabSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(reference)));
        Assert.Equal(Vocabulary.Value, TestModels.Arctic.Model.ReadVocabulary().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
        Assert.True(cases.Count >= 2000, $"only {cases.Count} golden texts");

        var report = Compare([.. cases.Select(c => c.Text)], [.. cases.Select(c => c.Ids)], TestModels.Arctic, out var mismatches);

        Assert.True(mismatches == 0, $"{mismatches} of {cases.Count} texts differ from @huggingface/transformers:\n{report}");
    }

    [Fact]
    public void EncodeToIds_ThingsMlTokenizersBertTokenizerGetsWrong_FollowTheReference()
    {
        var tokenizer = TestModels.Arctic.Tokenizer;

        // Accents are stripped after decomposition, symbols are kept, "_" is punctuation, special tokens are case-sensitive.
        Assert.Equal(tokenizer.EncodeToIds("cafe"), tokenizer.EncodeToIds("café"));
        Assert.Equal([1574], tokenizer.EncodeToIds("€"));
        Assert.Equal(tokenizer.EncodeToIds("state _ of _ art"), tokenizer.EncodeToIds("state_of_art"));
        Assert.Equal([tokenizer.SeparatorTokenId], tokenizer.EncodeToIds("[SEP]"));
        Assert.DoesNotContain(tokenizer.SeparatorTokenId, tokenizer.EncodeToIds("[sep]"));
        // Half a surrogate pair is dropped like any invalid character, not passed to Unicode normalisation.
        Assert.Equal(tokenizer.EncodeToIds("broken pair"), tokenizer.EncodeToIds("broken \uD83D pair"));
    }

    [Fact]
    public void Encode_HelloWorld_MatchesReferenceIds()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(TestModels.Fixture("reference-vectors.json")));
        var expected = reference.RootElement.GetProperty("hello world ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        Assert.Equal(expected, TestModels.Arctic.Encode("hello world"));
        Assert.Equal([101, 5210, 7861, 8270, 4667, 102], TestModels.Arctic.Encode("flag embedding"));
    }

    [Fact]
    public void CountTokens_Text_CountsWithoutSpecialTokens()
    {
        var counter = new BertTokenCounter(TestModels.Arctic.Tokenizer);

        Assert.Equal(2, counter.CountTokens("hello world"));
        Assert.Equal(TestModels.Arctic.Encode("Django's ORM, admin panel and auth").Length - 2, counter.CountTokens("Django's ORM, admin panel and auth"));
    }

    // Pieces from many scripts and character classes, glued at random so that words, punctuation, marks,
    // control and invisible characters meet in combinations nobody wrote down by hand.
    private static readonly string[] Pieces =
    [
        "Django", "flask", "FastAPI", "async", "ORM", "unbelievable", "re-use", "state_of_art", "x86_64", "3.14", "1,000",
        "é", "É", "ñ", "ß", "ø", "Å", "İ", "ı", "ΣΑΣ", "σς", "Ǆ", "ﬁ", "Ａ", "①", "²", "e\u0301", "a\u0308", "\u0301",
        "中", "文", "日本", "カタカナ", "한국", "ㄱ", "Привет", "ёЁ", "مرحبا", "שלום", "नमस्ते", "ไทย", "𠀀", "𝐀", "😀", "👍🏽", "👩‍💻", "🇫🇷",
        ".", ",", "!", "?", "(", ")", "[", "]", "{", "}", "-", "_", "/", "\\", "@", "#", "$", "%", "^", "&", "*", "+", "=", "<", ">", "|", "~", "`",
        "'", "\"", "“", "”", "«", "»", "–", "—", "…", "·", "§", "€", "©", "™", "→",
        " ", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2009", "\u3000", "\u200b", "\u200d", "\u00ad", "\ufeff", "\u0001", "\u0085", "\ue000",
        "[SEP]", "[CLS]", "[MASK]", "[sep]", "##ing", "##",
    ];

    [Fact]
    public async Task Encode_GeneratedTexts_MatchHuggingFaceTransformersRunNow()
    {
        var random = new Random(20240521);
        var texts = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            var builder = new StringBuilder();
            var count = random.Next(1, 40);
            for (var p = 0; p < count; p++)
                builder.Append(Pieces[random.Next(Pieces.Length)]);
            texts.Add(builder.ToString());
        }
        var textsPath = Path.Combine(Path.GetTempPath(), $"chatadvisor-wordpiece-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(textsPath, JsonSerializer.Serialize(texts));
        try
        {
            var result = await NodeProcess.RunAsync(Path.Combine(RepoPaths.Root, "tools", "golden", "tokenizer"),
                ["tokenize.mjs", TestModels.Fixture(), textsPath]);
            Assert.True(result.ExitCode == 0, result.ToString());
            var expected = JsonSerializer.Deserialize<int[][]>(result.StandardOutput)!;

            var report = Compare(texts, expected, TestModels.Arctic, out var mismatches);

            Assert.True(mismatches == 0, $"{mismatches} of {texts.Count} texts differ:\n{report}");
        }
        finally
        {
            File.Delete(textsPath);
        }
    }
}
