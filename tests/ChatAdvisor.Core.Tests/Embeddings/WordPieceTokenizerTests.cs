using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChatAdvisor.Core.Embeddings.WordPiece;

namespace ChatAdvisor.Core.Tests.Embeddings;

public sealed class WordPieceTokenizerTests
{
    private static readonly Lazy<WordPieceTokenizer> Tokenizer = new(() =>
        WordPieceTokenizer.FromVocabularyFile(SharedModels.Require("all-MiniLM-L6-v2", "vocab.txt")));

    private static readonly Lazy<string[]> Vocabulary = new(() => File.ReadAllLines(SharedModels.Require("all-MiniLM-L6-v2", "vocab.txt")));

    private sealed record GoldenCase(string Source, string Text, int[] Ids);

    private static (JsonElement Header, List<GoldenCase> Cases) LoadGolden()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedModels.Golden("wordpiece-golden.json")));
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var cases = document.RootElement.GetProperty("cases").Deserialize<List<GoldenCase>>(options)!;
        return (document.RootElement.GetProperty("header").Clone(), cases);
    }

    private static string Describe(int[] ids) => string.Join(' ', ids.Select(id => $"{Vocabulary.Value[id]}({id})"));

    [Fact]
    public void Encode_GoldenTexts_MatchHuggingFaceTransformersIds()
    {
        var (header, cases) = LoadGolden();
        var vocabSha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(SharedModels.Require("all-MiniLM-L6-v2", "vocab.txt"))));
        Assert.Equal(header.GetProperty("vocabSha256").GetString(), vocabSha);
        Assert.True(cases.Count >= 2000, $"only {cases.Count} golden texts");

        var failures = new StringBuilder();
        var mismatches = 0;
        foreach (var golden in cases)
        {
            var actual = Tokenizer.Value.Encode(golden.Text).Ids;
            if (actual.SequenceEqual(golden.Ids))
                continue;
            if (++mismatches <= 10)
            {
                failures.AppendLine($"[{golden.Source}] {JsonSerializer.Serialize(golden.Text)}");
                failures.AppendLine($"  expected: {Describe(golden.Ids)}");
                failures.AppendLine($"  actual:   {Describe(actual)}");
            }
        }
        Assert.True(mismatches == 0, $"{mismatches} of {cases.Count} texts differ from @huggingface/transformers:\n{failures}");
    }

    [Fact]
    public void Encode_HelloWorld_MatchesReferenceIds()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(SharedModels.Require("_reference", "bert_uncased_token_ids.json")));
        var expected = reference.RootElement.GetProperty("hello world").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        Assert.Equal(expected, Tokenizer.Value.Encode("hello world").Ids);
        Assert.Equal([101, 5210, 7861, 8270, 4667, 102], Tokenizer.Value.Encode("flag embedding").Ids);
    }

    [Fact]
    public void Encode_GoldenTexts_OffsetsPointBackAtTheTokenText()
    {
        var (_, cases) = LoadGolden();
        var checkedTokens = 0;
        foreach (var golden in cases)
        {
            var encoded = Tokenizer.Value.Encode(golden.Text);
            var previousEnd = 0;
            for (var i = 1; i < encoded.Count - 1; i++)
            {
                var offset = encoded.Offsets[i];
                Assert.InRange(offset.Start, previousEnd == 0 ? 0 : previousEnd, golden.Text.Length);
                Assert.InRange(offset.End, offset.Start + 1, golden.Text.Length);
                previousEnd = offset.Start;
                var original = golden.Text.Substring(offset.Start, offset.Length);
                var piece = Vocabulary.Value[encoded.Ids[i]];
                // Where the text is plain ASCII the token must be exactly the lower-cased original text it points at.
                if (encoded.Ids[i] != Tokenizer.Value.UnknownId && original.All(char.IsAscii) && !piece.StartsWith('['))
                {
                    // Control characters inside a word are dropped by normalisation but stay inside the span.
                    var visible = new string([.. original.Where(c => !char.IsControl(c))]);
                    Assert.Equal(piece.StartsWith("##", StringComparison.Ordinal) ? piece[2..] : piece, visible.ToLowerInvariant());
                    checkedTokens++;
                }
            }
        }
        Assert.True(checkedTokens > 50_000, $"only {checkedTokens} tokens checked");
    }

    [Fact]
    public void Encode_AccentedAndSpecialText_OffsetsCoverTheOriginalCharacters()
    {
        const string text = "Ça marche, [SEP] naïve 中文";
        var encoded = Tokenizer.Value.Encode(text);
        var spans = encoded.Offsets[1..^1].Select(o => text.Substring(o.Start, o.Length)).ToArray();

        Assert.Equal(["Ça", "marche", ",", "[SEP]", "naïve", "中", "文"], spans);
        Assert.Equal(Tokenizer.Value.SepId, encoded.Ids[4]);
    }

    [Fact]
    public void Encode_MaxTokens_KeepsTheFirstTokensAndEndsWithSep()
    {
        const string text = "Django is a batteries-included framework; Flask is a microframework.";
        var full = Tokenizer.Value.Encode(text).Ids;

        var truncated = Tokenizer.Value.Encode(text, maxTokens: 6).Ids;

        Assert.Equal([.. full[..5], Tokenizer.Value.SepId], truncated);
        Assert.Equal(full, Tokenizer.Value.Encode(text, maxTokens: full.Length).Ids);
    }

    [Fact]
    public void Encode_WordOverMaxLengthOrUnsplittable_IsOneUnknownToken()
    {
        var unknown = Tokenizer.Value.UnknownId;

        Assert.Equal([101, unknown, 102], Tokenizer.Value.Encode(new string('a', 101)).Ids);
        Assert.Equal([101, unknown, 102], Tokenizer.Value.Encode("𠀀𠀁").Ids);
        Assert.NotEqual([101, unknown, 102], Tokenizer.Value.Encode(new string('a', 100)).Ids);
    }

    [Fact]
    public void CountTokens_AnyText_EqualsEncodedLengthWithoutSpecialTokens()
    {
        var (_, cases) = LoadGolden();
        foreach (var golden in cases.Take(300))
            Assert.Equal(golden.Ids.Length - 2, Tokenizer.Value.CountTokens(golden.Text));
    }

    [Fact]
    public void FromVocabularyFile_MissingFile_NamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-model", "vocab.txt");

        var error = Assert.Throws<FileNotFoundException>(() => WordPieceTokenizer.FromVocabularyFile(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
