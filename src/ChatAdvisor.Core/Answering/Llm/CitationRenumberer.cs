using System.Text;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>
/// Rewrites the [n] markers of model text as it arrives: markers that name no provided source are removed,
/// the others are renumbered 1, 2, 3… in order of first appearance. Text is passed on as soon as it cannot be
/// part of a marker, so streamed and final answers read the same. Not thread-safe: one instance per answer.
/// </summary>
/// <remarks>
/// Recognised markers: <c>[3]</c>, <c>[1, 4]</c> and <c>[1][2]</c>. A group is written back as adjacent markers
/// (<c>[1][2]</c>). When a whole group is removed, the spaces before it go too, so "fast [9]." becomes "fast.".
/// </remarks>
public sealed class CitationRenumberer(int sourceCount)
{
    // Longest run of "[", digits, commas and spaces still treated as a marker being written.
    private const int MaxMarkerLength = 24;

    private readonly StringBuilder _pending = new();
    private readonly Dictionary<int, int> _numbers = [];
    private readonly List<int> _cited = [];

    /// <summary>The provided sources' numbers in the order they are now cited: the source behind new number i+1 is <c>CitedSources[i]</c>.</summary>
    public IReadOnlyList<int> CitedSources => _cited;

    /// <summary>How many markers were removed because they named no provided source.</summary>
    public int RemovedCount { get; private set; }

    /// <summary>Adds model text; returns the rewritten text that is now certain (possibly empty).</summary>
    public string Append(string text)
    {
        _pending.Append(text);
        return Drain(final: false);
    }

    /// <summary>Ends the text; returns whatever was held back.</summary>
    public string Flush() => Drain(final: true);

    /// <summary>Rewrites a whole text at once.</summary>
    public string Rewrite(string text) => Append(text) + Flush();

    private string Drain(bool final)
    {
        var input = _pending.ToString();
        var output = new StringBuilder(input.Length);
        var i = 0;
        var heldFrom = input.Length; // where text that must wait starts
        while (i < input.Length)
        {
            var c = input[i];
            if (c == '[')
            {
                var close = ScanMarker(input, i);
                if (close == -1)
                {
                    // Not a marker: "[" followed by something else.
                    output.Append(c);
                    i++;
                    continue;
                }
                if (close == -2)
                {
                    if (!final)
                    {
                        heldFrom = i;
                        break;
                    }
                    output.Append(input, i, input.Length - i);
                    i = input.Length;
                    continue;
                }
                var replacement = Renumber(input.AsSpan(i + 1, close - i - 1));
                if (replacement.Length == 0)
                    TrimTrailingSpaces(output);
                output.Append(replacement);
                i = close + 1;
                continue;
            }
            if (c is ' ' or '\t' && !final)
            {
                // Spaces wait for what follows: they are dropped if a removed marker comes next.
                var end = i;
                while (end < input.Length && input[end] is ' ' or '\t')
                    end++;
                if (end == input.Length || (input[end] == '[' && ScanMarker(input, end) == -2))
                {
                    heldFrom = i;
                    break;
                }
                output.Append(input, i, end - i);
                i = end;
                continue;
            }
            output.Append(c);
            i++;
        }
        _pending.Clear();
        if (heldFrom < input.Length)
            _pending.Append(input, heldFrom, input.Length - heldFrom);
        return output.ToString();
    }

    // Returns the index of the closing ']' of a marker starting at 'start', -1 when this is no marker,
    // -2 when the text ends before the marker could be told apart from other text.
    private static int ScanMarker(string input, int start)
    {
        var sawDigit = false;
        for (var j = start + 1; j < input.Length; j++)
        {
            if (j - start > MaxMarkerLength)
                return -1;
            var c = input[j];
            if (char.IsAsciiDigit(c))
                sawDigit = true;
            else if (c == ']')
                return sawDigit ? j : -1;
            else if (c is not (',' or ' '))
                return -1;
        }
        return -2;
    }

    private string Renumber(ReadOnlySpan<char> inner)
    {
        var result = new StringBuilder();
        foreach (var range in inner.Split(','))
        {
            var part = inner[range].Trim();
            if (part.IsEmpty)
                continue;
            if (!int.TryParse(part, out var original) || original < 1 || original > sourceCount)
            {
                RemovedCount++;
                continue;
            }
            if (!_numbers.TryGetValue(original, out var number))
            {
                _cited.Add(original);
                number = _cited.Count;
                _numbers[original] = number;
            }
            var marker = $"[{number}]";
            if (!result.ToString().Contains(marker, StringComparison.Ordinal))
                result.Append(marker);
        }
        return result.ToString();
    }

    private static void TrimTrailingSpaces(StringBuilder output)
    {
        while (output.Length > 0 && output[^1] is ' ' or '\t')
            output.Length--;
    }
}
