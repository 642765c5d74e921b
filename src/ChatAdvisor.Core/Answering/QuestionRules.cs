using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ChatAdvisor.Core.Answering;

/// <summary>The rules every channel applies to a question before asking the advisor.</summary>
public static class QuestionRules
{
    /// <summary>The longest question accepted, in characters.</summary>
    public const int MaxLength = 4000;

    /// <summary>Returns a message for the user when the question cannot be asked, or null when it is fine.</summary>
    public static string? Validate(string? question)
    {
        if (IsEmpty(question))
            return "The question is empty. Ask something like \"Which framework should I use for a REST API?\".";
        if (question.Length > MaxLength)
            return $"The question is {question.Length} characters long; the limit is {MaxLength}.";
        return null;
    }

    /// <summary>
    /// Whether <paramref name="question"/> shows nothing: null, empty, or only characters that are not drawn (see
    /// <see cref="HasVisibleCharacter"/>). Such a question is answered with the empty-question hint on every channel.
    /// </summary>
    public static bool IsEmpty([NotNullWhen(false)] string? question)
        => string.IsNullOrWhiteSpace(question) || !HasVisibleCharacter(question);

    /// <summary>
    /// Whether <paramref name="text"/> has a character that shows. Whitespace, control characters, format characters
    /// (Cf: zero-width spaces and joiners, U+2060, the byte-order mark, soft hyphens, direction marks, tags) and the
    /// other characters Unicode says to draw as nothing (<see cref="IsDefaultIgnorable"/>) do not: a question made of
    /// them alone would reach retrieval as an empty one.
    /// </summary>
    private static bool HasVisibleCharacter(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsWhiteSpace(rune)
                && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format)
                && !IsDefaultIgnorable(rune.Value))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The Default_Ignorable_Code_Point characters that are not in category Cf: the combining grapheme joiner, the Hangul
    /// fillers, Khmer inherent vowels, Mongolian free variation selectors, variation selectors and the unassigned rest of
    /// the tag block. (Unicode 16 DerivedCoreProperties.txt; .NET has no API for the property.)
    /// </summary>
    private static bool IsDefaultIgnorable(int c)
        => c is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or (>= 0x180B and <= 0x180F) or 0x3164
            or (>= 0xFE00 and <= 0xFE0F) or 0xFFA0 or (>= 0xE0000 and <= 0xE0FFF);
}

/// <summary>Thrown when a question breaks <see cref="QuestionRules"/>; its message is safe to show to the user.</summary>
public sealed class InvalidQuestionException(string message) : Exception(message);
