using ChatAdvisor.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatAdvisor.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on a free loopback port, running the whole application with its own storage folder.
/// Dispose to stop it and delete its storage.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, string storagePath)
    {
        _app = app;
        StoragePath = storagePath;
        BaseAddress = new Uri(LoopbackApp.Address(app) + "/");
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The server's address, such as http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A client pointed at <see cref="BaseAddress"/>.</summary>
    public HttpClient Client { get; }

    /// <summary>The server's private storage folder (index cache, conversations).</summary>
    public string StoragePath { get; }

    /// <summary>The server's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the application. <paramref name="settings"/> override appsettings.json (keys such as "Slack:SigningSecret");
    /// <paramref name="configure"/> can replace services. Pass <paramref name="storagePath"/> to reuse a folder across restarts.
    /// </summary>
    public static async Task<TestServer> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        string? storagePath = null)
    {
        storagePath ??= Path.Combine(Path.GetTempPath(), "chatadvisor-test-" + Guid.NewGuid().ToString("N"));
        var app = ChatAdvisorApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"], builder =>
        {
            var values = new Dictionary<string, string?> { ["Storage:Path"] = storagePath };
            if (settings is not null)
            {
                foreach (var (key, value) in settings)
                    values[key] = value;
            }
            builder.Configuration.AddInMemoryCollection(values);
            // One set of loaded embedding models for every server of the test run (the real registration is exercised by the
            // CLI tests, which run the executable).
            builder.Services.Replace(ServiceDescriptor.Singleton(TestModels.Arctic));
            builder.Services.Replace(ServiceDescriptor.Singleton(TestModels.ShippedModels));
            builder.Services.Replace(ServiceDescriptor.Singleton(TestModels.SharedShipped));
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new TestServer(app, storagePath);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
