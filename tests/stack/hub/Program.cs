using System.Net;
using System.Security.Cryptography.X509Certificates;
using ClinicalHub;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR;

// Clinical Messenger reference hub: see docs/hub-protocol.md. Prints `HUB_LISTENING <origin>` on stdout once ready.
HubConfig config;
try
{
    config = HubConfig.Load(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"hub: {ex.Message}");
    return 2;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

var cert = X509Certificate2.CreateFromPemFile(config.CertFile, config.KeyFile);
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(IPAddress.Loopback, config.Port, l => l.UseHttps(cert));
});

builder.Services.AddSingleton(config);
builder.Services.AddSingleton(new Store(config.DataDir));
builder.Services.AddSingleton(new UserDirectory(config.DirectoryFile));
builder.Services.AddSingleton<ConnectionRegistry>();
builder.Services.AddSingleton<AvailabilityExpiry>();
builder.Services.AddHubAuthentication(config);
builder.Services.AddSignalR(o =>
{
    o.MaximumReceiveMessageSize = config.MaxReceiveMessageBytes;
    o.EnableDetailedErrors = false;
    o.AddFilter<CallGate>();
});

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/health", () => Results.Json(new { status = "ok", protocolVersion = HubConfig.ProtocolVersion }));
app.MapHub<ClinicalHub.ClinicalHub>(Auth.HubPath, o => o.CloseOnAuthenticationExpiration = true);
app.MapAdminRevocations(config);
app.MapAdminRoster(config);
app.MapFaults(config);

await app.StartAsync();
var origin = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.Out.WriteLine($"HUB_LISTENING {origin}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
app.Services.GetRequiredService<Store>().Dispose();
return 0;
