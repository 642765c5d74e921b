using System.Text.RegularExpressions;

namespace ChatAdvisor.Core.Ingestion;

/// <summary>What <see cref="FurnitureFilter"/> kept and what it learnt while removing page furniture.</summary>
/// <param name="Text">The text without furniture.</param>
/// <param name="RemovedLines">How many non-empty lines were dropped.</param>
/// <param name="Author">An author name found in a byline or author box, if any.</param>
/// <param name="Publisher">A site name found in the page header, if any.</param>
public sealed record FurnitureResult(string Text, int RemovedLines, string? Author, string? Publisher);

/// <summary>
/// Removes what a web page puts around an article — sign-in and sign-up forms, comment widgets,
/// "Similar posts", status toasts, the title repeated at the top, the author box — from text that was
/// copied or converted from a page. Works line by line, so it applies to .txt, .md and converted .html alike.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class FurnitureFilter
{
    // A line that on its own is part of a sign-in / sign-up form or the page chrome around it.
    [GeneratedRegex("""
        ^(log\s?in|log\s?out|sign\s?in|sign\s?up|sign\s?out|subscribe|
        or\s+continue\s+with.*|continue\s+with\s+(google|github|facebook|apple).*|e-?mail(\s+address)?|password|
        confirm\s+password|username|user\s?name|first\s+name|last\s+name|full\s+name|forgot(\s+your)?\s+password\??|
        reset\s+password|don'?t\s+have\s+an\s+account\??|already\s+have\s+an\s+account\??|remember\s+me|
        join\s+[\w\s]{1,40}|how\s+did\s+you\s+hear\s+about\s+us\??|by\s+(signing|continuing|registering).*(terms|privacy).*|
        create\s+(an\s+)?account|skip\s+to\s+(main\s+)?content|accept(\s+all)?\s+cookies|we\s+use\s+cookies.*)$
        """, RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex FormLine();

    // Comment widgets, share bars and status toasts.
    [GeneratedRegex("""
        ^(\W*\s*comments?|discussion\s*\(\d+\s+comments?\)|\d+\s+comments?|comments?\s*\(\d+\)|
        sign\s+in\s+to\s+(join\s+the\s+discussion|comment).*|log\s+in\s+to\s+comment.*|no\s+comments\s+yet.*|
        be\s+the\s+first\s+to\s+(comment|share).*|leave\s+a\s+(comment|reply).*|post\s+(a\s+)?comment|add\s+a\s+comment.*|
        share(\s+this(\s+(post|article))?)?:?|share\s+on\s+\w+|tweet|copy\s+link|link\s+copied!?|
        \W{0,3}\s*(success|error|saved|copied|done|loading)(\.\.\.|!)?|
        was\s+this\s+(article|post)\s+helpful\??|\d+\s+min(ute)?s?\s+read|advertisement)$
        """, RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex WidgetLine();

    // Where the article ends and the page's recommendations begin: this line and everything after it go.
    [GeneratedRegex(@"^(similar|related|recommended|more|popular|latest)\s+(posts|articles|stories|reads)\W*$|^you\s+(may|might)\s+also\s+like\W*$|^read\s+next\W*$",
        RegexOptions.IgnoreCase)]
    private static partial Regex TailMarker();

    // "Site Name - tagline" in a page header: the site is the publisher.
    [GeneratedRegex(@"^(?<site>[\p{L}\d][\p{L}\d&.' ]{1,40}?)\s+[-–|]\s+.{8,}$")]
    private static partial Regex SiteBanner();

    // A person's name: two to four capitalised words.
    [GeneratedRegex(@"^\p{Lu}[\p{L}'’-]+(\s+\p{Lu}[\p{L}'’.-]*){1,3}$")]
    private static partial Regex PersonName();

    // "By Jane Doe" bylines.
    [GeneratedRegex(@"^(by|written\s+by|author:)\s+(?<name>\p{Lu}[\p{L}'’-]+(\s+\p{Lu}[\p{L}'’.-]*){1,3})$", RegexOptions.IgnoreCase)]
    private static partial Regex Byline();

    // Lines made only of symbols and emoji (icons left behind by widgets).
    [GeneratedRegex(@"^[\p{So}\p{Sk}\p{Cs}\p{Mn}\p{Cf}\W]+$")]
    private static partial Regex SymbolsOnly();

    /// <summary>Removes page furniture from <paramref name="text"/>. <paramref name="title"/>, when known, helps drop repeated titles.</summary>
    public static FurnitureResult Clean(string text, string? title = null)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var keep = new bool[lines.Length];
        Array.Fill(keep, true);
        string? author = null, publisher = null;
        int removed = 0;

        void Drop(int i)
        {
            if (keep[i] && lines[i].Trim().Length > 0)
                removed++;
            keep[i] = false;
        }

        // 1. Everything from a "Similar posts" marker on, when it sits in the last part of the page.
        for (int i = lines.Length - 1; i >= lines.Length / 2; i--)
        {
            if (TailMarker().IsMatch(lines[i].Trim()))
            {
                for (int j = i; j < lines.Length; j++)
                    Drop(j);
            }
        }

        // 2. Form, chrome and widget lines anywhere; a site banner found among form lines names the publisher.
        for (int i = 0; i < lines.Length; i++)
        {
            var line = Unmark(lines[i]);
            if (line.Length == 0)
                continue;
            if (FormLine().IsMatch(line) || WidgetLine().IsMatch(line) || (line.Length <= 8 && SymbolsOnly().IsMatch(line)))
            {
                Drop(i);
                continue;
            }
            if (NearFurniture(lines, i) && SiteBanner().Match(line) is { Success: true } banner)
            {
                publisher ??= banner.Groups["site"].Value.Trim();
                Drop(i);
            }
        }

        // 3. The title repeated at the top: keep its first occurrence only.
        var seenTop = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int nonEmptySeen = 0;
        for (int i = 0; i < lines.Length && nonEmptySeen < 6; i++)
        {
            if (!keep[i])
                continue;
            var line = Unmark(lines[i]);
            if (line.Length == 0)
                continue;
            nonEmptySeen++;
            if (line.Length <= 200 && !seenTop.Add(line))
                Drop(i);
            else if (title is not null && nonEmptySeen > 1 && string.Equals(line, title.Trim(), StringComparison.OrdinalIgnoreCase) && seenTop.Count > 1)
                Drop(i);
        }

        // 4. Bylines, and the author box at the end: a name shown twice (avatar caption and heading), then a role and a bio.
        for (int i = 0; i < lines.Length; i++)
        {
            if (keep[i] && Byline().Match(Unmark(lines[i])) is { Success: true } by)
            {
                author ??= by.Groups["name"].Value;
                Drop(i);
            }
        }
        var tail = Enumerable.Range(0, lines.Length).Where(i => keep[i] && Unmark(lines[i]).Length > 0).TakeLast(6).ToList();
        for (int k = 0; k + 1 < tail.Count; k++)
        {
            var a = Unmark(lines[tail[k]]);
            if (a == Unmark(lines[tail[k + 1]]) && PersonName().IsMatch(a))
            {
                author ??= a;
                for (int j = tail[k]; j < lines.Length; j++)
                    Drop(j);
                break;
            }
        }

        var kept = lines.Where((_, i) => keep[i]).Select(l => l.TrimEnd());
        var joined = CollapseBlankLines(string.Join('\n', kept)).Trim('\n');
        return new FurnitureResult(joined, removed, author, publisher);
    }

    private static bool NearFurniture(string[] lines, int index)
    {
        for (int d = -3; d <= 3; d++)
        {
            int j = index + d;
            if (d != 0 && j >= 0 && j < lines.Length && FormLine().IsMatch(Unmark(lines[j])))
                return true;
        }
        return false;
    }

    // Compares lines without Markdown heading marks or emphasis, so "# Title" repeats "Title".
    private static string Unmark(string line) => line.Trim().TrimStart('#').Trim().Trim('*', '_').Trim();

    private static string CollapseBlankLines(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length);
        int blank = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                if (++blank > 1)
                    continue;
            }
            else
            {
                blank = 0;
            }
            sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }
}
