using ChatAdvisor.Tests.Infrastructure;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>An activity the fake Connector received from the bot.</summary>
/// <param name="RawTarget">The request target exactly as sent (escaping preserved).</param>
/// <param name="ConversationId">The conversation id from the URL, unescaped.</param>
/// <param name="ReplyToId">The activity id from the URL, unescaped, or null.</param>
/// <param name="Authorization">The Authorization header the bot sent.</param>
/// <param name="Body">The activity.</param>
/// <param name="Status">The status the fake answered with.</param>
/// <param name="AssignedId">The activity id the fake gave the activity when it accepted it.</param>
/// <param name="At">When the fake received it.</param>
public sealed record ReceivedActivity(string RawTarget, string ConversationId, string? ReplyToId, string? Authorization, JsonObject Body, int Status, string? AssignedId,
    DateTimeOffset At = default)
{
    public string? Type => Body["type"]?.GetValue<string>();
}

/// <summary>A signing key the fake channel publishes in its JWKS; Entra keys have no endorsements (null).</summary>
public sealed record FakeKey(string KeyId, RSA Rsa, string[]? Endorsements);

/// <summary>
/// A stand-in for the Bot Framework on loopback, playing every part the bot talks to: the OpenID metadata and
/// JWKS (keys with endorsements) its tokens are checked against, the Entra token endpoint the bot gets its
/// outbound token from, and the Connector that receives the replies. It signs channel tokens with its own RSA
/// keys and posts activities to the bot. It also stands in for Entra ID: every tenant's OpenID metadata (and
/// <c>common</c>'s, which the Emulator's tokens are checked against) points at one more key set, without endorsements.
/// </summary>
public sealed class FakeChannel : IAsyncDisposable
{
    public const string AppId = "9f3c1e52-7d4b-4a8e-9c61-2b5d8e7f1a03";
    public const string AppPassword = "fake-client-secret-Zq8~do-not-log";
    public const string AccessToken = "fake-connector-access-token";
    public const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedActivity> _received = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _failures = new();
    private readonly SemaphoreSlim _signal = new(0);
    private int _replyCounter;
    private int _metadataRequests;
    private int _keyRequests;
    private int _tokenRequests;
    private int _metadataFailures;

    private FakeChannel(WebApplication app)
    {
        _app = app;
        ServiceUrl = LoopbackApp.Address(app) + "/";
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The base URL of the fake Connector, as the channel puts it in activities.</summary>
    public string ServiceUrl { get; }

    public string OpenIdMetadataUrl => ServiceUrl + "v1/.well-known/openidconfiguration";

    public string TokenEndpoint => ServiceUrl + "botframework.com/oauth2/v2.0/token";

    /// <summary>The Entra OpenID metadata URL template ({tenant} for the tenant).</summary>
    public string EntraOpenIdMetadataUrl => ServiceUrl + "{tenant}/v2.0/.well-known/openid-configuration";

    /// <summary>The key Entra ID signs tokens with, in every tenant.</summary>
    public FakeKey EntraKey { get; } = new("fake-entra-key-1", RSA.Create(2048), null);

    /// <summary>How many times an Entra metadata document was asked for, by tenant.</summary>
    public ConcurrentDictionary<string, int> EntraMetadataRequests { get; } = new();

    /// <summary>The key that signs tokens by default, endorsed for msteams and emulator.</summary>
    public FakeKey SigningKey { get; } = new("fake-key-1", RSA.Create(2048), ["msteams", "emulator"]);

    /// <summary>The keys the JWKS publishes; tests may change it to simulate a key rollover.</summary>
    public List<FakeKey> PublishedKeys { get; } = [];

    public HttpClient Http { get; }

    public int MetadataRequests => Volatile.Read(ref _metadataRequests);

    public int KeyRequests => Volatile.Read(ref _keyRequests);

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>The forms posted to the token endpoint.</summary>
    public ConcurrentQueue<Dictionary<string, string>> TokenForms { get; } = new();

    /// <summary>Everything the fake Connector received, in order.</summary>
    public IReadOnlyList<ReceivedActivity> Received => [.. _received];

    /// <summary>The settings that point the bot at this fake channel.</summary>
    public Dictionary<string, string?> BotSettings(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["BotFramework:AppId"] = AppId,
            ["BotFramework:AppPassword"] = AppPassword,
            ["BotFramework:OpenIdMetadataUrl"] = OpenIdMetadataUrl,
            ["BotFramework:TokenEndpoint"] = TokenEndpoint,
            ["BotFramework:EntraOpenIdMetadataUrl"] = EntraOpenIdMetadataUrl,
        };
        foreach (var (key, value) in extra)
            settings[key] = value;
        return settings;
    }

    public static async Task<FakeChannel> StartAsync()
    {
        var builder = LoopbackApp.CreateBuilder();
        var app = builder.Build();
        FakeChannel? channel = null;

        app.MapGet("/v1/.well-known/openidconfiguration", () =>
        {
            Interlocked.Increment(ref channel!._metadataRequests);
            if (Interlocked.Decrement(ref channel._metadataFailures) >= 0)
                return Results.StatusCode(503);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = "https://api.botframework.com",
                ["jwks_uri"] = channel.ServiceUrl + "v1/.well-known/keys",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        app.MapGet("/v1/.well-known/keys", () =>
        {
            Interlocked.Increment(ref channel!._keyRequests);
            List<FakeKey> keys;
            lock (channel.PublishedKeys)
                keys = [.. channel.PublishedKeys];
            return Results.Json(new { keys = keys.Select(Jwk).ToArray() });
        });
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (string tenant) =>
        {
            channel!.EntraMetadataRequests.AddOrUpdate(tenant, 1, (_, n) => n + 1);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = $"https://login.microsoftonline.com/{tenant}/v2.0",
                ["jwks_uri"] = channel.ServiceUrl + tenant + "/discovery/v2.0/keys",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        app.MapGet("/{tenant}/discovery/v2.0/keys", (string tenant) => Results.Json(new { keys = new[] { Jwk(channel!.EntraKey) } }));
        app.MapPost("/botframework.com/oauth2/v2.0/token", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref channel!._tokenRequests);
            var form = await request.ReadFormAsync();
            channel.TokenForms.Enqueue(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
            if (form["client_secret"] != AppPassword)
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            return Results.Json(new { token_type = "Bearer", expires_in = 3600, ext_expires_in = 3600, access_token = AccessToken });
        });
        app.MapPost("/v3/conversations/{conversationId}/activities/{activityId?}", async (HttpContext context, string conversationId, string? activityId) =>
        {
            var body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
            var type = body["type"]?.GetValue<string>() ?? "";
            var status = channel!._failures.TryGetValue(Failures(conversationId, type), out var queue) && queue.TryDequeue(out var failure) ? failure : 200;
            // Teams refuses the updates of a stream the user stopped.
            var streamStopped = status == 200 && channel.RefuseStream?.Invoke(body) == true;
            if (streamStopped)
                status = 403;
            var assignedId = status == 200 ? "reply-" + Interlocked.Increment(ref channel._replyCounter) : null;
            channel._received.Enqueue(new ReceivedActivity(
                context.Features.Get<IHttpRequestFeature>()!.RawTarget, conversationId, activityId,
                context.Request.Headers.Authorization.ToString(), body, status, assignedId, DateTimeOffset.UtcNow));
            channel._signal.Release();
            if (streamStopped)
                return Results.Json(new { error = new { code = "ContentStreamNotAllowed", message = "Content stream is not allowed on an already completed streamed message" } }, statusCode: status);
            if (assignedId is null)
                return Results.Json(new { error = new { code = "ServiceError", message = "try again" } }, statusCode: status);
            return Results.Json(new { id = assignedId });
        });

        await app.StartAsync();
        channel = new FakeChannel(app);
        channel.PublishedKeys.Add(channel.SigningKey);
        return channel;
    }

    /// <summary>When set and true for an activity's body, the Connector answers 403 ContentStreamNotAllowed (the user pressed Stop).</summary>
    public Func<JsonObject, bool>? RefuseStream { get; set; }

    /// <summary>Makes the OpenID metadata endpoint answer 503 to the next <paramref name="count"/> requests.</summary>
    public void FailMetadata(int count) => Volatile.Write(ref _metadataFailures, count);

    /// <summary>Makes the Connector answer <paramref name="status"/> to the next activity of <paramref name="type"/> in the conversation.</summary>
    public void FailNext(string conversationId, string type, int status)
        => _failures.GetOrAdd(Failures(conversationId, type), _ => new ConcurrentQueue<int>()).Enqueue(status);

    /// <summary>A channel token, correct unless the callbacks change it.</summary>
    public string CreateToken(
        string serviceUrl,
        Action<JsonObject>? editClaims = null,
        Action<JsonObject>? editHeader = null,
        FakeKey? key = null)
    {
        key ??= SigningKey;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = key.KeyId, ["typ"] = "JWT", ["x5t"] = key.KeyId };
        var claims = new JsonObject
        {
            ["serviceurl"] = serviceUrl,
            ["nbf"] = now - 60,
            ["exp"] = now + 3600,
            ["iss"] = "https://api.botframework.com",
            ["aud"] = AppId,
        };
        editHeader?.Invoke(header);
        editClaims?.Invoke(claims);
        var signingInput = Segment(header) + "." + Segment(claims);
        var signature = key.Rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// An Entra ID token from <paramref name="tenant"/> for the bot (as a single-tenant bot or the Emulator gets them):
    /// version "1.0" names the calling app in "appid" and is issued by sts.windows.net, "2.0" in "azp" by
    /// login.microsoftonline.com. No serviceurl claim.
    /// </summary>
    public string CreateEntraToken(string version, string tenant, string callerAppId = AppId, Action<JsonObject>? editClaims = null)
        => CreateToken(ServiceUrl, claims =>
        {
            claims.Remove("serviceurl");
            claims["ver"] = version;
            claims["tid"] = tenant;
            if (version == "2.0")
            {
                claims["iss"] = $"https://login.microsoftonline.com/{tenant}/v2.0";
                claims["azp"] = callerAppId;
            }
            else
            {
                claims["iss"] = $"https://sts.windows.net/{tenant}/";
                claims["appid"] = callerAppId;
            }
            editClaims?.Invoke(claims);
        }, key: EntraKey);

    /// <summary>A token broken in the way <paramref name="forgery"/> names (see the authentication tests), for <paramref name="activity"/>.</summary>
    public (string? Token, string Scheme) Forge(string forgery, JsonObject activity)
    {
        var serviceUrl = ServiceUrl;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        switch (forgery)
        {
            case "no token":
                return (null, "Bearer");
            case "basic scheme":
                return (Convert.ToBase64String(Encoding.ASCII.GetBytes(FakeChannel.AppId + ":" + FakeChannel.AppPassword)), "Basic");
            case "alg none":
            {
                var (header, claims) = ValidParts(serviceUrl);
                header["alg"] = "none";
                return (FakeChannel.Segment(header) + "." + FakeChannel.Segment(claims) + ".", "Bearer");
            }
            case "alg none with a signature":
            {
                var (header, claims) = ValidParts(serviceUrl);
                header["alg"] = "none";
                return (FakeChannel.Segment(header) + "." + FakeChannel.Segment(claims) + "." + CreateToken(serviceUrl).Split('.')[2], "Bearer");
            }
            case "HS256 signed with the public key":
            {
                var (header, claims) = ValidParts(serviceUrl);
                header["alg"] = "HS256";
                var publicKey = Encoding.ASCII.GetBytes(SigningKey.Rsa.ExportSubjectPublicKeyInfoPem());
                return (FakeChannel.CreateHmacToken(header, claims, publicKey), "Bearer");
            }
            case "RS384 header":
                return (CreateToken(serviceUrl, editHeader: h => h["alg"] = "RS384"), "Bearer");
            case "tampered payload":
            {
                var parts = CreateToken(serviceUrl).Split('.');
                var (_, claims) = ValidParts(serviceUrl);
                claims["aud"] = new JsonArray(FakeChannel.AppId, "another-app");
                return (parts[0] + "." + FakeChannel.Segment(claims) + "." + parts[2], "Bearer");
            }
            case "wrong audience":
                return (CreateToken(serviceUrl, c => c["aud"] = "00000000-1111-2222-3333-444444444444"), "Bearer");
            case "wrong issuer":
                return (CreateToken(serviceUrl, c => c["iss"] = "https://sts.windows.net/" + FakeChannel.TenantId + "/"), "Bearer");
            case "expired":
                return (CreateToken(serviceUrl, c => { c["nbf"] = now - 7200; c["exp"] = now - 360; }), "Bearer");
            case "not yet valid":
                return (CreateToken(serviceUrl, c => { c["nbf"] = now + 360; c["exp"] = now + 3600; }), "Bearer");
            case "no exp":
                return (CreateToken(serviceUrl, c => c.Remove("exp")), "Bearer");
            case "unknown kid":
                return (CreateToken(serviceUrl, key: new FakeKey("kid-nobody-published", System.Security.Cryptography.RSA.Create(2048), ["msteams"])), "Bearer");
            case "signed by an unpublished key under the published kid":
                return (CreateToken(serviceUrl, key: new FakeKey(SigningKey.KeyId, System.Security.Cryptography.RSA.Create(2048), ["msteams"])), "Bearer");
            case "serviceurl mismatch":
                // The token was issued for another serviceUrl: accepting it would send the bot's token there.
                return (CreateToken("https://attacker.example/"), "Bearer");
            case "no serviceurl claim":
                return (CreateToken(serviceUrl, c => c.Remove("serviceurl")), "Bearer");
            case "missing endorsement":
                // The key is endorsed for msteams and emulator, not for the channel the activity claims.
                activity["channelId"] = "slack";
                return (CreateToken(serviceUrl), "Bearer");
            default:
                throw new ArgumentOutOfRangeException(nameof(forgery), forgery, null);
        }
    }

    /// <summary>A token whose header and claims are as given and whose signature is HMAC-SHA256 keyed with <paramref name="secret"/>.</summary>
    public static string CreateHmacToken(JsonObject header, JsonObject claims, byte[] secret)
    {
        var signingInput = Segment(header) + "." + Segment(claims);
        return signingInput + "." + Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The unsigned parts of a valid token, to build forgeries from.</summary>
    public (JsonObject Header, JsonObject Claims) ValidParts(string serviceUrl)
    {
        var parts = CreateToken(serviceUrl).Split('.');
        return ((JsonObject)JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!, (JsonObject)JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!);
    }

    public static string Segment(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    /// <summary>A Teams-like activity from a user to the bot.</summary>
    public JsonObject Activity(string type, string conversationId, string? text = null, string? id = null)
    {
        var activity = new JsonObject
        {
            ["type"] = type,
            ["id"] = id ?? "act-" + Guid.NewGuid().ToString("N")[..12],
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["serviceUrl"] = ServiceUrl,
            ["channelId"] = "msteams",
            ["from"] = new JsonObject { ["id"] = "29:user-1", ["name"] = "Ada", ["aadObjectId"] = "00000000-0000-0000-0000-00000000a11a" },
            ["conversation"] = new JsonObject { ["id"] = conversationId, ["conversationType"] = "personal", ["tenantId"] = TenantId },
            ["recipient"] = new JsonObject { ["id"] = "28:" + AppId, ["name"] = "ChatAdvisor" },
            ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = TenantId } },
            ["locale"] = "en-US",
        };
        if (text is not null)
        {
            activity["text"] = text;
            activity["textFormat"] = "plain";
        }
        if (type == "conversationUpdate")
            activity["membersAdded"] = new JsonArray(new JsonObject { ["id"] = "28:" + AppId }, new JsonObject { ["id"] = "29:user-1" });
        return activity;
    }

    /// <summary>Posts <paramref name="activity"/> to the bot's messaging endpoint, with <paramref name="token"/> when given.</summary>
    public async Task<HttpResponseMessage> PostAsync(Uri bot, JsonObject activity, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(bot, "api/messages"))
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Http.SendAsync(request);
    }

    /// <summary>Waits until the Connector has received an activity that matches <paramref name="match"/>.</summary>
    public async Task<ReceivedActivity> WaitForAsync(Func<ReceivedActivity, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_received.FirstOrDefault(match) is { } found)
                return found;
            try
            {
                await _signal.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("The fake Connector received no matching activity. Received:\n"
                    + string.Join("\n", _received.Select(r => $"{r.Status} {r.RawTarget} {r.Body.ToJsonString()}")));
            }
        }
    }

    /// <summary>What the Connector received for one conversation.</summary>
    public IReadOnlyList<ReceivedActivity> ReceivedIn(string conversationId)
        => [.. _received.Where(r => r.ConversationId == conversationId)];

    private static string Failures(string conversationId, string type) => conversationId + "\n" + type;

    private static JsonObject Jwk(FakeKey key)
    {
        var parameters = key.Rsa.ExportParameters(false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = key.KeyId,
            ["x5t"] = key.KeyId,
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
        };
        if (key.Endorsements is not null)
            jwk["endorsements"] = new JsonArray([.. key.Endorsements.Select(e => (JsonNode)e)]);
        return jwk;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
