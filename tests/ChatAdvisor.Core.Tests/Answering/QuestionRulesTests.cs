using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Core.Tests.Answering;

public class QuestionRulesTests
{
    private static readonly string Empty = QuestionRules.Validate("")!;

    [Theory]
    [InlineData("\u200B")]                          // zero-width space
    [InlineData("\u200B\u200C\u200D")]              // zero-width space, non-joiner, joiner
    [InlineData("\u2060\uFEFF")]                    // word joiner, byte-order mark
    [InlineData(" \u200B \t\u00AD\u200E\n")]        // whitespace, soft hyphen and a direction mark mixed
    [InlineData("\uDB40\uDC20\uDB40\uDC7F")]        // tag characters (Cf outside the basic plane)
    [InlineData("\u3164\u115F\uFE0F\u034F")]        // Hangul fillers, a variation selector, the grapheme joiner
    [InlineData("\u0001\u007F")]                    // control characters
    public void Validate_OnlyInvisibleCharacters_IsRefusedLikeAnEmptyQuestion(string question)
    {
        Assert.Equal(Empty, QuestionRules.Validate(question));
    }

    [Theory]
    [InlineData("Flask\u200B?")]
    [InlineData("\u200Bdjango")]
    [InlineData("👍")]
    [InlineData("?")]
    public void Validate_AVisibleCharacterAmongInvisibleOnes_IsAccepted(string question)
    {
        Assert.Null(QuestionRules.Validate(question));
    }
}
