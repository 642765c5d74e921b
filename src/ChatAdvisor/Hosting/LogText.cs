using System.Text;

namespace ChatAdvisor.Hosting;

/// <summary>Makes request-controlled text safe to put in a log line.</summary>
public static class LogText
{
    /// <summary>The longest value logged; longer values are cut and marked with an ellipsis.</summary>
    public const int MaxLength = 200;

    /// <summary>
    /// <paramref name="value"/> with every control character (CR, LF, tab, escape, the C1 controls, the line and
    /// paragraph separators) shown as <c>\uXXXX</c>, so a caller cannot forge a log line; at most
    /// <see cref="MaxLength"/> characters of it.
    /// </summary>
    public static string? Clean(string? value)
    {
        if (value is null)
            return null;
        var cut = value.Length > MaxLength ? value[..MaxLength] : value;
        if (!cut.Any(IsUnsafe))
            return cut.Length == value.Length ? value : cut + "…";
        var builder = new StringBuilder(cut.Length + 16);
        foreach (var c in cut)
        {
            if (IsUnsafe(c))
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else
                builder.Append(c);
        }
        if (cut.Length != value.Length)
            builder.Append('…');
        return builder.ToString();
    }

    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
