using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>What a valid token grants: one user in one conversation until <see cref="Expires"/>.</summary>
public sealed record DirectLineGrant(string UserId, string ConversationId, DateTimeOffset Expires);

/// <summary>What a token may be used for.</summary>
public enum DirectLineTokenScope
{
    /// <summary>The bearer token of the REST routes, handed to the browser.</summary>
    Conversation,

    /// <summary>The short-lived token inside a <c>streamUrl</c>; good for opening the WebSocket only.</summary>
    Stream,
}

/// <summary>
/// Issues and checks Direct Line tokens: HS256 JWTs carrying the user id (<c>user</c>, which Web Chat reads as its
/// user id) and the conversation id (<c>conv</c>). Thread-safe.
/// </summary>
public sealed class DirectLineTokens
{
    private const string Issuer = "chatadvisor-directline";

    /// <summary>How long the token inside a streamUrl lasts: enough to open the socket right after it is handed out.</summary>
    public static readonly TimeSpan StreamTokenLifetime = TimeSpan.FromMinutes(5);

    private static readonly byte[] Header = Encoding.UTF8.GetBytes(Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8));
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly DirectLineSigningKey _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    public DirectLineTokens(DirectLineSigningKey key, IOptions<DirectLineOptions> options, TimeProvider time)
    {
        _key = key;
        _time = time;
        _lifetime = TimeSpan.FromMinutes(options.Value.TokenLifetimeMinutes);
    }

    /// <summary>The lifetime of a conversation token, in seconds (the <c>expires_in</c> of responses).</summary>
    public int LifetimeSeconds => (int)_lifetime.TotalSeconds;

    /// <summary>A new user id; the <c>dl_</c> prefix tells Web Chat it comes from a token and cannot be forged.</summary>
    public static string NewUserId() => "dl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>A new Direct Line conversation id.</summary>
    public static string NewConversationId() => "dl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>Issues a token for <paramref name="userId"/> in <paramref name="conversationId"/>.</summary>
    public string Issue(string userId, string conversationId, DirectLineTokenScope scope = DirectLineTokenScope.Conversation)
    {
        var now = _time.GetUtcNow();
        var lifetime = scope == DirectLineTokenScope.Stream ? StreamTokenLifetime : _lifetime;
        var claims = new TokenClaims(Issuer, userId, conversationId, ScopeName(scope), now.ToUnixTimeSeconds(), now.ToUnixTimeSeconds(), (now + lifetime).ToUnixTimeSeconds(),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims, DirectLineJsonContext.Default.TokenClaims));

        var signed = new byte[Header.Length + 1 + Encoding.UTF8.GetByteCount(payload)];
        Header.CopyTo(signed, 0);
        signed[Header.Length] = (byte)'.';
        Encoding.UTF8.GetBytes(payload, signed.AsSpan(Header.Length + 1));
        var signature = HMACSHA256.HashData(_key.Value, signed);
        return Encoding.UTF8.GetString(signed) + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// Checks signature, issuer, scope and lifetime. Returns null for anything else: a forged, expired,
    /// malformed or wrong-scope token never tells the caller which check failed.
    /// </summary>
    public DirectLineGrant? Validate(string? token, DirectLineTokenScope scope = DirectLineTokenScope.Conversation)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
            return null;
        int firstDot = token.IndexOf('.');
        int lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot == firstDot)
            return null;

        var signedPart = Encoding.UTF8.GetBytes(token.AsSpan(0, lastDot).ToString());
        if (!signedPart.AsSpan(0, firstDot).SequenceEqual(Header))
            return null;

        Span<byte> given = stackalloc byte[64];
        if (Base64Url.DecodeFromChars(token.AsSpan(lastDot + 1), given, out _, out int written) != System.Buffers.OperationStatus.Done)
            return null;
        var expected = HMACSHA256.HashData(_key.Value, signedPart);
        if (written != expected.Length || !CryptographicOperations.FixedTimeEquals(expected, given[..written]))
            return null;

        TokenClaims? claims;
        try
        {
            claims = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(token.AsSpan(firstDot + 1, lastDot - firstDot - 1)), DirectLineJsonContext.Default.TokenClaims);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (claims is null || claims.Issuer != Issuer || claims.Scope != ScopeName(scope)
            || string.IsNullOrEmpty(claims.User) || string.IsNullOrEmpty(claims.Conversation)
            || claims.NotBefore > now + ClockSkew.TotalSeconds || claims.Expires <= now)
        {
            return null;
        }
        return new DirectLineGrant(claims.User, claims.Conversation, DateTimeOffset.FromUnixTimeSeconds(claims.Expires));
    }

    private static string ScopeName(DirectLineTokenScope scope) => scope == DirectLineTokenScope.Stream ? "stream" : "conversation";

    internal sealed record TokenClaims(
        [property: JsonPropertyName("iss")] string Issuer,
        [property: JsonPropertyName("user")] string User,
        [property: JsonPropertyName("conv")] string Conversation,
        [property: JsonPropertyName("scp")] string Scope,
        [property: JsonPropertyName("iat")] long IssuedAt,
        [property: JsonPropertyName("nbf")] long NotBefore,
        [property: JsonPropertyName("exp")] long Expires,
        [property: JsonPropertyName("jti")] string? Id);
}

/// <summary>
/// The key that signs Direct Line tokens: <c>DirectLine:SigningKey</c> when set, otherwise a random key created once
/// and kept in the storage folder so that tokens survive a restart. Loaded on first use. A failure to read or write the
/// file (a full or read-only disk) is not kept: it surfaces as <see cref="StorageUnavailableException"/> (503), the next
/// use tries again, and <c>/readyz</c> reports <c>directline</c> as not ready until an attempt succeeds. Thread-safe.
/// </summary>
public sealed class DirectLineSigningKey : IReadinessContributor
{
    /// <summary>The file, inside the storage folder, that keeps a generated key.</summary>
    public const string FileName = "directline-signing.key";

    private readonly Lock _gate = new();
    private readonly string _file;
    private readonly Action<string, byte[]> _writeNewFile;
    private readonly ILogger _logger;
    private volatile byte[]? _value;
    private volatile string? _failure;

    /// <summary>Reads the settings; the key itself is read or created on first use.</summary>
    public DirectLineSigningKey(IOptions<DirectLineOptions> options, IOptions<StorageOptions> storageOptions, ContentRootPath contentRoot,
        ILogger<DirectLineSigningKey> logger)
        : this(options, storageOptions, contentRoot, logger, WriteNewFile)
    {
    }

    /// <summary>As the public constructor, with the function that writes a new file replaced (tests fill the disk).</summary>
    internal DirectLineSigningKey(IOptions<DirectLineOptions> options, IOptions<StorageOptions> storageOptions, ContentRootPath contentRoot,
        ILogger<DirectLineSigningKey> logger, Action<string, byte[]> writeNewFile)
    {
        _file = Path.Combine(contentRoot.Resolve(storageOptions.Value.Path), FileName);
        _writeNewFile = writeNewFile;
        _logger = logger;
        // Checked at start (DirectLineOptions.Validate): base64 of at least 32 bytes.
        if (options.Value.SigningKey.Length > 0)
            _value = Convert.FromBase64String(options.Value.SigningKey);
    }

    /// <summary>The key bytes.</summary>
    /// <exception cref="StorageUnavailableException">The key file cannot be read or written; the next call tries again.</exception>
    public byte[] Value => _value ?? Load();

    string IReadinessContributor.Name => "directline";

    ComponentStatus IReadinessContributor.GetStatus()
    {
        if (_failure is null)
            return new ComponentStatus(true, _value is null ? "the token signing key is read or created on first use" : "tokens can be signed");
        // Tried again here as well: a replica that its load balancer took out of rotation gets no token request to retry on.
        try
        {
            Load();
            return new ComponentStatus(true, "tokens can be signed");
        }
        catch (StorageUnavailableException exception)
        {
            return new ComponentStatus(false, exception.Message);
        }
    }

    private byte[] Load()
    {
        lock (_gate)
        {
            if (_value is { } loaded)
                return loaded;
            try
            {
                var key = LoadOrCreate();
                _value = key;
                if (_failure is not null)
                {
                    _failure = null;
                    DirectLineLog.SigningKeyRecovered(_logger);
                }
                return key;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                var problem = exception is InvalidDataException
                    ? $"the Direct Line signing key in {FileName} (storage folder) is not base64 of at least 32 bytes; delete the file to generate a new one"
                    : $"the Direct Line signing key cannot be read or written in the storage folder ({FileName})";
                // Once per outage: every Direct Line request tries again, and /readyz says it is still failing.
                if (_failure is null)
                    DirectLineLog.SigningKeyFailed(_logger, problem, exception);
                _failure = problem;
                throw new StorageUnavailableException(problem, exception);
            }
        }
    }

    private byte[] LoadOrCreate()
    {
        if (File.Exists(_file))
            return Read(_file);

        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var key = RandomNumberGenerator.GetBytes(32);
        var temporary = _file + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            // Written whole to a file of its own and then moved into place, so the key file is never half written.
            _writeNewFile(temporary, Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            // Two processes starting on one storage folder must end up with the same key: the first move wins.
            File.Move(temporary, _file, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(_file))
        {
            return Read(_file);
        }
        finally
        {
            // Gone after a successful move; left behind by a failed write (a full disk leaves it empty) or a lost race.
            DeleteQuietly(temporary);
        }
    }

    /// <summary>Creates <paramref name="path"/>, readable by the service account only, with <paramref name="content"/> on disk.</summary>
    private static void WriteNewFile(string path, byte[] content)
    {
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, create);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    private void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The failure that matters is the one being reported; a stray .tmp file holds no key anyone uses.
            DirectLineLog.TemporaryKeyFileLeft(_logger, exception);
        }
    }

    private static byte[] Read(string file)
    {
        var buffer = new byte[256];
        if (!Convert.TryFromBase64String(File.ReadAllText(file).Trim(), buffer, out int written) || written < 32)
            throw new InvalidDataException($"{FileName} is not base64 of at least 32 bytes.");
        return buffer[..written];
    }
}
