using System.Globalization;
using System.Text;

namespace ChatAdvisor.Core.Embeddings.WordPiece;

/// <summary>
/// What an uncased BERT normaliser does to one character: lower-case it, decompose it canonically (NFD) and
/// drop the non-spacing marks, so "É" becomes "e" and "ﬁ" stays "ﬁ" (a compatibility, not a canonical, form).
/// </summary>
/// <remarks>
/// Table-driven so that results do not depend on the ICU build of the machine (the project runs with invariant
/// globalization, where <see cref="string.Normalize()"/> does not decompose). Thread-safe: the table is immutable.
/// </remarks>
internal static partial class UncasedFolding
{
    private const int HangulBase = 0xAC00, HangulCount = 11172, LeadBase = 0x1100, VowelBase = 0x1161, TrailBase = 0x11A7;
    private const int VowelCount = 21, TrailCount = 28;

    private static readonly Dictionary<int, string> Table = Parse(Data);

    /// <summary>Appends the folded form of <paramref name="rune"/> to <paramref name="output"/>; returns the number of chars appended.</summary>
    public static int Append(Rune rune, StringBuilder output)
    {
        var value = rune.Value;
        if (value is >= HangulBase and < HangulBase + HangulCount)
        {
            // Hangul syllables decompose algorithmically into leading consonant, vowel and optional trailing consonant.
            var index = value - HangulBase;
            output.Append((char)(LeadBase + index / (VowelCount * TrailCount)));
            output.Append((char)(VowelBase + index % (VowelCount * TrailCount) / TrailCount));
            var trail = index % TrailCount;
            if (trail == 0)
                return 2;
            output.Append((char)(TrailBase + trail));
            return 3;
        }
        if (Table.TryGetValue(value, out var folded))
        {
            output.Append(folded);
            return folded.Length;
        }
        if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
            return 0;
        var before = output.Length;
        output.Append(rune.ToString());
        return output.Length - before;
    }

    private static Dictionary<int, string> Parse(string data)
    {
        var table = new Dictionary<int, string>(5200);
        foreach (var entry in data.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var key = int.Parse(entry.AsSpan(0, colon), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var builder = new StringBuilder();
            foreach (var part in entry[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                builder.Append(char.ConvertFromUtf32(int.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            table[key] = builder.ToString();
        }
        return table;
    }
}
