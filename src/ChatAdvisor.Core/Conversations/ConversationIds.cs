using System.Security.Cryptography;

namespace ChatAdvisor.Core.Conversations;

/// <summary>
/// Conversation ids: 1–200 characters of letters, digits and <c>- _ . : @ ;</c> so that channel keys
/// (Teams "19:abc@thread.skype;messageid=1", Slack "T1:C2:1712.0001") fit as they are.
/// </summary>
public static class ConversationIds
{
    /// <summary>The longest id a client may send.</summary>
    public const int MaxLength = 200;

    /// <summary>The longest id stored: room for a channel's namespace (<c>api:</c>) in front of a client's id.</summary>
    public const int MaxStoredLength = 256;

    /// <summary>The namespace of conversations started through <c>POST /api/ask</c>, so they never meet a channel's.</summary>
    public const string ApiPrefix = "api:";

    /// <summary>Makes a new random id such as <c>c-3f9a…</c>.</summary>
    public static string New() => "c-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>True when <paramref name="id"/> can be used as a conversation id of at most <paramref name="maxLength"/> characters.</summary>
    public static bool IsValid(string? id, int maxLength = MaxLength)
    {
        if (string.IsNullOrEmpty(id) || id.Length > maxLength)
            return false;
        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@' or ';'))
                return false;
        }
        return true;
    }

    /// <summary>
    /// The stored id of a conversation a client of <c>POST /api/ask</c> calls <paramref name="clientId"/>: always in the
    /// <c>api:</c> namespace, so an id that looks like a channel's (<c>slack:T1:C1:…</c>, <c>webchat:…</c>,
    /// <c>msteams:…</c>) never reaches that channel's conversation.
    /// </summary>
    public static string ForApi(string clientId) => ApiPrefix + clientId;

    /// <summary>The id the API client knows for a stored id made by <see cref="ForApi"/>.</summary>
    public static string FromApi(string storedId)
        => storedId.StartsWith(ApiPrefix, StringComparison.Ordinal) ? storedId[ApiPrefix.Length..] : storedId;
}
