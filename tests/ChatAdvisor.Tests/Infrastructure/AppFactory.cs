using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatAdvisor.Tests.Infrastructure;

/// <summary>
/// The whole application in memory, through <see cref="WebApplicationFactory{TEntryPoint}"/>: for tests that speak HTTP
/// to it but need no real socket (the Direct Line WebSocket, the browser and the channel fakes use <see cref="TestServer"/>).
/// Its own storage folder, deleted on dispose; the shared embedding model of the test run.
/// </summary>
public sealed class AppFactory(IDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    private HttpClient? _client;

    /// <summary>A client of the application (created, and the application started, on first use).</summary>
    public HttpClient Client => _client ??= CreateClient();

    /// <summary>The application's private storage folder (index cache, conversations).</summary>
    public string StoragePath { get; } = Path.Combine(Path.GetTempPath(), "chatadvisor-test-" + Guid.NewGuid().ToString("N"));

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration(configuration =>
        {
            var values = new Dictionary<string, string?> { ["Storage:Path"] = StoragePath };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
                values[key] = value;
            configuration.AddInMemoryCollection(values);
        });
        builder.ConfigureTestServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton(TestModels.Arctic));
            services.Replace(ServiceDescriptor.Singleton(TestModels.ShippedModels));
            services.Replace(ServiceDescriptor.Singleton(TestModels.SharedShipped));
        });
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(StoragePath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the folder is under the temporary directory.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
