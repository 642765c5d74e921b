using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatAdvisor.Channels.DirectLine;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Channels.DirectLine;

/// <summary>
/// The generated Direct Line signing key when its file cannot be written: the failure is reported and retried, not kept
/// until a restart, and no temporary file is left behind.
/// </summary>
public sealed class DirectLineSigningKeyTests
{
    private static string NewStorage() => Path.Combine(Path.GetTempPath(), "chatadvisor-test-" + Guid.NewGuid().ToString("N"));

    private static DirectLineSigningKey Create(string storage, Action<string, byte[]> writeNewFile)
        => new(Options.Create(new DirectLineOptions()), Options.Create(new StorageOptions { Path = storage }), new ContentRootPath(Path.GetTempPath()),
            NullLogger<DirectLineSigningKey>.Instance, writeNewFile);

    [Fact]
    public void Value_DiskFullWhileWritingTheKey_FailsLeavesNoTemporaryFileAndTheNextUseSucceeds()
    {
        var storage = NewStorage();
        Directory.CreateDirectory(storage);
        bool full = true;
        var key = Create(storage, (path, content) =>
        {
            // As a full disk does: the file is created, the write fails.
            File.WriteAllBytes(path, []);
            if (full)
                throw new IOException("No space left on device");
            File.WriteAllBytes(path, content);
        });
        var readiness = (IReadinessContributor)key;
        try
        {
            var failure = Assert.Throws<StorageUnavailableException>(() => key.Value);
            Assert.DoesNotContain("No space left", failure.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(storage));
            Assert.Throws<StorageUnavailableException>(() => key.Value);
            Assert.False(readiness.GetStatus().Ready);
            Assert.Empty(Directory.GetFiles(storage));

            full = false;
            var value = key.Value;

            Assert.Equal(32, value.Length);
            Assert.Equal(Convert.ToBase64String(value), File.ReadAllText(Path.Combine(storage, DirectLineSigningKey.FileName)));
            Assert.Equal([Path.Combine(storage, DirectLineSigningKey.FileName)], Directory.GetFiles(storage));
            Assert.True(readiness.GetStatus().Ready);
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public void GetStatus_AfterAFailure_TriesAgainAndIsReadyOnceTheKeyIsWritten()
    {
        var storage = NewStorage();
        bool full = true;
        var key = Create(storage, (path, content) =>
        {
            if (full)
                throw new IOException("No space left on device");
            File.WriteAllBytes(path, content);
        });
        var readiness = (IReadinessContributor)key;
        try
        {
            Assert.True(readiness.GetStatus().Ready, "nothing has failed before the first use");
            Assert.Throws<StorageUnavailableException>(() => key.Value);
            Assert.False(readiness.GetStatus().Ready);

            // A replica out of rotation gets no token request: the readiness probe itself tries again.
            full = false;

            Assert.True(readiness.GetStatus().Ready);
            Assert.True(File.Exists(Path.Combine(storage, DirectLineSigningKey.FileName)));
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task PageToken_KeyFileCannotBeWritten_Gets503AndReadyzSaysWhyUntilItCanThenTokensWork()
    {
        await using var app = new AppFactory();
        // Something that is not a file where the key file goes: writing the key fails, as on a broken disk.
        var keyPath = Path.Combine(app.StoragePath, DirectLineSigningKey.FileName);
        Directory.CreateDirectory(keyPath);

        using var refused = await app.Client.PostAsync("/api/directline/token", null);
        using var refusedAgain = await app.Client.PostAsync("/api/directline/token", null);
        var ready = await ReadinessAsync(app);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusedAgain.StatusCode);
        Assert.False(ready.GetProperty("ready").GetBoolean());
        Assert.Contains("signing key", ready.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(app.StoragePath, DirectLineSigningKey.FileName + ".*.tmp"));

        Directory.Delete(keyPath);
        using var granted = await app.Client.PostAsync("/api/directline/token", null);

        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.True((await ReadinessAsync(app)).GetProperty("ready").GetBoolean());
        Assert.True(File.Exists(keyPath));
    }

    private static async Task<JsonElement> ReadinessAsync(AppFactory app)
    {
        // 503 while any component is not ready; the body is the same report.
        using var response = await app.Client.GetAsync("/readyz");
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        return report.GetProperty("components").GetProperty("directline");
    }
}
