using System.Text.RegularExpressions;
using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Core.Chunking;

/// <summary>
/// Splits an article's Markdown-like text into <see cref="TextUnit"/>s: sentences of paragraphs, list items,
/// table rows and code blocks, each with exact offsets. Headings are not units (they label sections).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class TextSegmenter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "inc", "ltd", "no", "fig", "approx", "cf", "al", "st",
    };

    [GeneratedRegex(@"^\s*([-*+•]|\d{1,3}[.)])\s+")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")]
    private static partial Regex TableSeparator();

    [GeneratedRegex(@"^#{1,6}\s")]
    private static partial Regex Heading();

    /// <summary>Splits <paramref name="text"/> into units, using <paramref name="sections"/> to label them.</summary>
    public static IReadOnlyList<TextUnit> Segment(string text, IReadOnlyList<ArticleSection> sections)
    {
        var units = new List<TextUnit>();
        int block = -1;
        bool inParagraph = false, inList = false, inTable = false, inCode = false;
        int paragraphStart = -1, paragraphEnd = -1, codeStart = -1;
        int pos = 0;

        void FlushParagraph()
        {
            if (paragraphStart >= 0)
                AddSentences(text, paragraphStart, paragraphEnd, UnitKind.Sentence, SectionAt(sections, paragraphStart), block, units);
            paragraphStart = -1;
            inParagraph = false;
        }

        while (pos <= text.Length)
        {
            int lineEnd = text.IndexOf('\n', pos);
            if (lineEnd < 0)
                lineEnd = text.Length;
            var line = text.AsSpan(pos, lineEnd - pos);
            var trimmed = line.Trim();

            if (inCode)
            {
                if (trimmed.StartsWith("```"))
                {
                    units.Add(new TextUnit(codeStart, lineEnd, UnitKind.Code, SectionAt(sections, codeStart), block));
                    inCode = false;
                }
            }
            else if (trimmed.IsEmpty)
            {
                FlushParagraph();
                inList = inTable = false;
            }
            else if (trimmed.StartsWith("```"))
            {
                FlushParagraph();
                block++;
                inCode = true;
                inList = inTable = false;
                codeStart = pos;
            }
            else if (Heading().IsMatch(line))
            {
                FlushParagraph();
                inList = inTable = false;
            }
            else if (trimmed.StartsWith("|"))
            {
                FlushParagraph();
                if (!inTable)
                {
                    block++;
                    inTable = true;
                    inList = false;
                    units.Add(Trimmed(text, pos, lineEnd, UnitKind.TableHeader, SectionAt(sections, pos), block));
                }
                else if (!TableSeparator().IsMatch(line))
                {
                    units.Add(Trimmed(text, pos, lineEnd, UnitKind.TableRow, SectionAt(sections, pos), block));
                }
            }
            else if (ListMarker().Match(text, pos, lineEnd - pos) is { Success: true } marker && marker.Index == pos)
            {
                FlushParagraph();
                if (!inList)
                {
                    block++;
                    inList = true;
                    inTable = false;
                }
                AddSentences(text, pos + marker.Length, lineEnd, UnitKind.ListItem, SectionAt(sections, pos), block, units);
            }
            else if (inList && char.IsWhiteSpace(line[0]) && units.Count > 0)
            {
                // A continuation line of the previous list item.
                AddSentences(text, pos, lineEnd, UnitKind.ListItem, SectionAt(sections, pos), block, units);
            }
            else
            {
                if (!inParagraph)
                {
                    block++;
                    inParagraph = true;
                    inList = inTable = false;
                    paragraphStart = pos;
                }
                paragraphEnd = lineEnd;
            }

            if (lineEnd >= text.Length)
                break;
            pos = lineEnd + 1;
        }
        FlushParagraph();
        if (inCode)
            units.Add(new TextUnit(codeStart, text.Length, UnitKind.Code, SectionAt(sections, codeStart), block));
        return units;
    }

    /// <summary>The index of the section that contains <paramref name="offset"/>.</summary>
    public static int SectionAt(IReadOnlyList<ArticleSection> sections, int offset)
    {
        int lo = 0, hi = sections.Count - 1, found = 0;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (sections[mid].Start <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    private static TextUnit Trimmed(string text, int start, int end, UnitKind kind, int section, int block)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
            start++;
        while (end > start && char.IsWhiteSpace(text[end - 1]))
            end--;
        return new TextUnit(start, end, kind, section, block);
    }

    /// <summary>Adds the sentences of text[start..end) as units of <paramref name="kind"/>.</summary>
    private static void AddSentences(string text, int start, int end, UnitKind kind, int section, int block, List<TextUnit> units)
    {
        int sentenceStart = start;
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            bool terminal = c is '.' or '!' or '?';
            bool lineBreakColon = c == ':' && (i + 1 == end || text[i + 1] == '\n');
            if (!terminal && !lineBreakColon)
                continue;

            int close = i + 1;
            while (close < end && text[close] is '"' or '\'' or ')' or '”' or '’' or ']')
                close++;
            if (close < end && !char.IsWhiteSpace(text[close]))
                continue;
            int next = close;
            while (next < end && char.IsWhiteSpace(text[next]))
                next++;
            if (next < end && terminal && !StartsSentence(text[next]))
                continue;
            if (c == '.' && IsAbbreviation(text, sentenceStart, i))
                continue;

            var unit = Trimmed(text, sentenceStart, close, kind, section, block);
            if (unit.End > unit.Start)
                units.Add(unit);
            sentenceStart = next;
            i = next - 1;
        }
        var last = Trimmed(text, sentenceStart, end, kind, section, block);
        if (last.End > last.Start)
            units.Add(last);
    }

    private static bool StartsSentence(char c) => char.IsUpper(c) || char.IsDigit(c) || c is '"' or '“' or '\'' or '(' or '[' or '*' or '_';

    private static bool IsAbbreviation(string text, int sentenceStart, int dot)
    {
        int wordStart = dot;
        while (wordStart > sentenceStart && (char.IsLetter(text[wordStart - 1]) || text[wordStart - 1] == '.'))
            wordStart--;
        var word = text.AsSpan(wordStart, dot - wordStart);
        if (word.Length == 1 && char.IsUpper(word[0]))
            return true; // an initial, as in "J. Smith"
        return Abbreviations.Contains(word.ToString());
    }
}
