using ChatAdvisor.Channels.DirectLine;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Hosting;

/// <summary>
/// The one place that decides which browser origins may do what, from two settings:
/// <list type="bullet">
/// <item><c>Embed:AllowedOrigins</c>: the sites that may embed the chat (frame the panel, get a chat token from the
/// browser). The advisor's own origin always may; with the list empty, only it.</item>
/// <item><c>DirectLine:AllowedOrigins</c>: the origins whose scripts may call <c>/v3/directline</c> (CORS); empty allows
/// any, because those calls carry a bearer token and no cookie. A site that may embed the chat may always call it.</item>
/// </list>
/// The CORS headers of Direct Line, of the token endpoint and of the embed check, and who may frame the advisor's pages
/// (<c>frame-ancestors</c>, <c>X-Frame-Options</c>: see <see cref="PageFraming"/>), all come from here. Thread-safe
/// (immutable after construction).
/// </summary>
public sealed class BrowserOrigins
{
    private readonly HashSet<string> _embed;
    private readonly HashSet<string> _directLine;
    private readonly string? _publicOrigin;

    /// <summary>Reads both settings (already validated at start).</summary>
    public BrowserOrigins(IOptions<EmbedOptions> embed, IOptions<DirectLineOptions> directLine)
    {
        _embed = ToSet(embed.Value.AllowedOrigins);
        _directLine = ToSet(directLine.Value.AllowedOrigins);
        _publicOrigin = directLine.Value.PublicBaseUrl.Length > 0 ? Normalize(new Uri(directLine.Value.PublicBaseUrl).GetLeftPart(UriPartial.Authority)) : null;
        FrameAncestors = string.Join(' ', ["'self'", .. _embed.Order(StringComparer.Ordinal)]);
        FrameOptions = _embed.Count == 0 ? "SAMEORIGIN" : null;
    }

    /// <summary>The <c>frame-ancestors</c> source list: <c>'self'</c> and each embedding site.</summary>
    public string FrameAncestors { get; }

    /// <summary>
    /// The same rule as <see cref="FrameAncestors"/> for browsers that know only <c>X-Frame-Options</c>:
    /// <c>SAMEORIGIN</c> when no other site may frame the advisor, null when some may, because that header cannot name
    /// them (its <c>ALLOW-FROM</c> is obsolete and ignored) and would shut them out.
    /// </summary>
    public string? FrameOptions { get; }

    /// <summary>
    /// Whether the request comes from a page of the advisor itself: the browser says so (<c>Sec-Fetch-Site</c>), or
    /// its <c>Origin</c> is the address the request was sent to (or <c>DirectLine:PublicBaseUrl</c>).
    /// </summary>
    public bool IsOwn(HttpRequest request, string origin)
    {
        if (request.Headers["Sec-Fetch-Site"] == "same-origin")
            return true;
        var normalized = Normalize(origin);
        if (normalized is null)
            return false;
        if (normalized == _publicOrigin)
            return true;
        return request.Host.HasValue && normalized == Normalize(request.Scheme + "://" + request.Host.Value);
    }

    /// <summary>Whether a page on <paramref name="origin"/> may embed the chat and ask for its token.</summary>
    public bool MayEmbed(HttpRequest request, string origin)
        => IsOwn(request, origin) || (Normalize(origin) is { } normalized && _embed.Contains(normalized));

    /// <summary>Whether a script on <paramref name="origin"/> may call Direct Line.</summary>
    public bool MayUseDirectLine(HttpRequest request, string origin)
        => _directLine.Count == 0 || MayEmbed(request, origin) || (Normalize(origin) is { } normalized && _directLine.Contains(normalized));

    /// <summary>Lets a browser script on <paramref name="origin"/> read the response (bearer tokens only, no credentials).</summary>
    public static void AllowRead(HttpResponse response, string origin)
    {
        response.Headers.AccessControlAllowOrigin = origin;
        response.Headers.Append("Vary", "Origin");
    }

    /// <summary>
    /// <paramref name="value"/> as a browser writes it in an <c>Origin</c> header (<c>scheme://host[:port]</c>, lower
    /// case, no default port), or null when it is not exactly an http(s) origin.
    /// </summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Contains('*', StringComparison.Ordinal)
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            return null;
        // Exactly scheme://host[:port]: anything the parser would drop or rewrite (a "/.." path, spaces) is refused.
        var origin = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
        var withPort = $"{uri.Scheme}://{uri.Host}:{uri.Port}";
        return value.Equals(origin, StringComparison.OrdinalIgnoreCase) || value.Equals(withPort, StringComparison.OrdinalIgnoreCase) ? origin : null;
    }

    private static HashSet<string> ToSet(IEnumerable<string> origins)
        => origins.Select(Normalize).OfType<string>().ToHashSet(StringComparer.Ordinal);
}
