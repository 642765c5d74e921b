using System.Text;

namespace ChatAdvisor.Channels;

/// <summary>Markdown helpers shared by the renderers.</summary>
public static class MarkdownText
{
    /// <summary>Backslash-escapes the characters that would make text render as something other than itself.</summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '#' or '|' or '~' or '!')
                escaped.Append('\\');
            escaped.Append(c);
        }

        // A line that starts like a list item or heading would lose its first characters to the list marker.
        var result = escaped.ToString();
        int digits = 0;
        while (digits < result.Length && char.IsAsciiDigit(result[digits]))
            digits++;
        if (result.Length > 0 && (result[0] is '-' or '+' or '=') || (digits > 0 && digits < result.Length && result[digits] is '.' or ')'))
            result = digits > 0 ? result[..digits] + "\\" + result[digits..] : "\\" + result;
        return result;
    }
}
