using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Api;

public class AskApiStorageTests
{
    [Fact]
    public async Task Start_CorruptConversationDatabase_IsMovedAsideAndTheServerAnswers()
    {
        using var folder = new TempFolder();
        var database = Path.Combine(folder.Path, "conversations.db");
        File.WriteAllText(database, "this is not a SQLite database, it is a text file that got in the way");

        await using var server = await TestServer.StartAsync(storagePath: folder.Path);
        var response = await server.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Flask?" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var aside = Assert.Single(Directory.GetFiles(folder.Path, "conversations.db.corrupt-*"));
        Assert.StartsWith("this is not a SQLite database", File.ReadAllText(aside));
    }

    [Fact]
    public async Task Start_StorageFolderNotWritable_FailsNamingTheSetting()
    {
        using var folder = new TempFolder();
        // A folder below a plain file can never be created, whoever the process runs as.
        var blocked = Path.Combine(folder.Write("plain-file", "x"), "storage");

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(storagePath: blocked));

        Assert.Contains("Storage:Path", failure.Message);
        Assert.Contains(blocked, failure.Message);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Ask_ReadOnlyStorage_Gets503AndReadyzReportsStorage()
    {
        using var folder = new TempFolder();
        await using var server = await TestServer.StartAsync(storagePath: folder.Path);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Flask?" })).StatusCode);

        using (ReadOnly.Make(folder.Path))
        {
            var response = await server.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Django?" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("SQLite", problem, StringComparison.OrdinalIgnoreCase);

            var ready = await server.Client.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var report = await ready.Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(report.GetProperty("components").GetProperty("storage").GetProperty("ready").GetBoolean());
        }

        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Django?" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/readyz")).StatusCode);
    }

    /// <summary>
    /// Makes a folder and its files read-only. File modes do not bind root, so as root the immutable attribute is set
    /// as well (it binds root too) and cleared on dispose.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private sealed class ReadOnly : IDisposable
    {
        private readonly string _folder;
        private readonly bool _immutable;

        private ReadOnly(string folder)
        {
            _folder = folder;
            foreach (var file in Directory.GetFiles(folder))
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            _immutable = Environment.UserName == "root";
            if (_immutable)
                Chattr("+i");
        }

        public static ReadOnly Make(string folder) => new(folder);

        private void Chattr(string flag)
        {
            using var process = Process.Start(new ProcessStartInfo("chattr", [flag, .. Directory.GetFiles(_folder), _folder]) { RedirectStandardError = true })!;
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "chattr failed: " + process.StandardError.ReadToEnd());
        }

        public void Dispose()
        {
            if (_immutable)
                Chattr("-i");
            File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            foreach (var file in Directory.GetFiles(_folder))
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
