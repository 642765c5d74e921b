using System.Security.Cryptography;

namespace ChatAdvisor.Core.Conversations;

/// <summary>
/// Conversation ids: 1–200 characters of letters, digits and <c>- _ . : @ ;</c> so that channel keys
/// (Teams "19:abc@thread.skype;messageid=1", Slack "T1:C2:1712.0001") fit as they are.
/// </summary>
public static class ConversationIds
{
    /// <summary>The longest id accepted.</summary>
    public const int MaxLength = 200;

    /// <summary>Makes a new random id such as <c>c-3f9a…</c>.</summary>
    public static string New() => "c-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>True when <paramref name="id"/> can be used as a conversation id.</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
            return false;
        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@' or ';'))
                return false;
        }
        return true;
    }
}
