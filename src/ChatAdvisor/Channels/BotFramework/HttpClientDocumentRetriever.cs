using Microsoft.IdentityModel.Protocols;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// Reads OpenID metadata and key sets for <see cref="Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfigurationRetriever"/>
/// through the app's HttpClient (its timeout and handlers apply). One request per document, no retries (the caller
/// throttles), and an error carries the status code only, never the response body.
/// </summary>
public sealed class HttpClientDocumentRetriever(HttpClient client, bool requireHttps) : IDocumentRetriever
{
    // Real metadata documents and key sets are a few KB.
    private const int MaxDocumentBytes = 256 * 1024;

    /// <inheritdoc />
    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && (requireHttps || uri.Scheme != Uri.UriSchemeHttp)))
        {
            throw new ArgumentException("The document address must be an absolute https URL" + (requireHttps ? "." : " or http URL."), nameof(address));
        }

        using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancel);
        if (!response.IsSuccessStatusCode)
            throw new IOException($"The document request answered {(int)response.StatusCode}.");
        if (response.Content.Headers.ContentLength > MaxDocumentBytes)
            throw new IOException("The document is too large.");

        await using var stream = await response.Content.ReadAsStreamAsync(cancel);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancel)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
                throw new IOException("The document is too large.");
            buffer.Write(chunk, 0, read);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
