using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>The real application with authentication on, and a fake channel on loopback it trusts.</summary>
public sealed class BotFrameworkFixture : IAsyncLifetime
{
    public const string AllowedTenant = FakeChannel.TenantId;

    public FakeChannel Channel { get; private set; } = null!;

    public TestServer Bot { get; private set; } = null!;

    public CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Channel = await FakeChannel.StartAsync();
        var settings = Channel.BotSettings(
            ("BotFramework:AllowedTenants:0", AllowedTenant),
            ("Logging:LogLevel:Default", "Trace"));
        Bot = await TestServer.StartAsync(settings, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(Logs);
        });
    }

    public async Task DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Channel.DisposeAsync();
    }
}
