using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace ClinicalHub;

/// <summary>
/// Fault injection for the client's fault suite (tests/faults/hub-input.test.ts), off unless the hub is started
/// with CM_HUB_FAULT_INJECTION=1, and then only with the admin token: `POST /faults/push` pushes any JSON, as
/// any event, to every connection of a user (what a hostile hub could push, without the store behind it);
/// `GET /faults/calls?userId=` counts the hub methods that user's connections invoked.
/// </summary>
public static class FaultEndpoints
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("CM_HUB_FAULT_INJECTION") == "1";
    private static readonly ConcurrentDictionary<string, long> Calls = new();

    public static void CountCall(string userId, string method)
    {
        if (Enabled) Calls.AddOrUpdate($"{userId}\n{method}", 1, (_, n) => n + 1);
    }

    public static void MapFaults(this WebApplication app, HubConfig config)
    {
        if (!Enabled || config.AdminTokenFile is not { Length: > 0 } file) return;
        var tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim()));
        bool Allowed(HttpContext http)
        {
            var header = http.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
            var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
            return CryptographicOperations.FixedTimeEquals(presented, tokenHash);
        }

        app.MapPost("/faults/push", async (HttpContext http, ConnectionRegistry registry, IHubContext<ClinicalHub> hub) =>
        {
            if (!Allowed(http)) return Results.StatusCode(StatusCodes.Status401Unauthorized);
            using var doc = await JsonDocument.ParseAsync(http.Request.Body);
            var root = doc.RootElement;
            var userId = root.GetProperty("userId").GetString() ?? "";
            var name = root.GetProperty("event").GetString() ?? "";
            var connections = registry.ConnectionsOf([userId]);
            var pushed = 0;
            foreach (var item in root.GetProperty("items").EnumerateArray())
            {
                await hub.Clients.Clients(connections).SendAsync(name, item.Clone());
                pushed++;
            }
            return Results.Json(new { pushed, connections = connections.Count });
        });

        app.MapGet("/faults/calls", (HttpContext http, string userId) =>
        {
            if (!Allowed(http)) return Results.StatusCode(StatusCodes.Status401Unauthorized);
            var prefix = userId + "\n";
            return Results.Json(Calls.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value));
        });
    }
}
