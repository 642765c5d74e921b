using System.Text;
using System.Text.Json;
using ChatAdvisor.Core.Embeddings.WordPiece;

namespace ChatAdvisor.Core.Tests.Embeddings;

/// <summary>Beyond the committed golden set: freshly generated texts tokenized by @huggingface/transformers in Node.js.</summary>
public sealed class WordPieceLiveParityTests
{
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
        var vocabulary = SharedModels.Require("all-MiniLM-L6-v2", "vocab.txt");
        var textsPath = Path.Combine(Path.GetTempPath(), $"chatadvisor-wordpiece-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(textsPath, JsonSerializer.Serialize(texts));
        try
        {
            var result = await NodeProcess.RunAsync(Path.Combine(RepoPaths.Root, "tools", "golden", "tokenizer"),
                ["tokenize.mjs", Path.Combine(RepoPaths.Shared, "models"), textsPath]);
            Assert.True(result.ExitCode == 0, result.ToString());
            var expected = JsonSerializer.Deserialize<int[][]>(result.StandardOutput)!;
            var tokenizer = WordPieceTokenizer.FromVocabularyFile(vocabulary);

            var failures = texts.Select((text, i) => (text, expected: expected[i], actual: tokenizer.Encode(text).Ids))
                .Where(c => !c.actual.SequenceEqual(c.expected))
                .ToList();

            var report = string.Join('\n', failures.Take(5).Select(f =>
                $"{JsonSerializer.Serialize(f.text)}\n  expected {string.Join(' ', f.expected)}\n  actual   {string.Join(' ', f.actual)}"));
            Assert.True(failures.Count == 0, $"{failures.Count} of {texts.Count} texts differ:\n{report}");
        }
        finally
        {
            File.Delete(textsPath);
        }
    }
}
