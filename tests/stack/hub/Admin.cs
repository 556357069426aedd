using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Data.Sqlite;

namespace ClinicalHub;

/// <summary>A device revocation signed by the hospital's IT (docs/remote-wipe.md), stored exactly as IT sent it.</summary>
public sealed record RevocationRecord(string UserId, string DeviceId, string RevokedAt, string Signature);

/// <summary>`DeviceRevoked` with IT's signature: `revokedAt` is then IT's (signed) time.</summary>
public sealed record SignedDeviceRevokedEvent(string DeviceId, string UserId, string RevokedAt, string Signature);

/// <summary>
/// The admin path of docs/hub-protocol.md: `POST /admin/revocations` takes a revocation IT signed, revokes the
/// device and pushes `DeviceRevoked` with the signature; `GetRevocation` hands it to a device that reconnects.
/// The hub cannot check the signature (it holds no IT key and does no Ed25519); every client verifies it
/// against the keys its machine policy pins, and only then wipes.
/// </summary>
public static class AdminEndpoints
{
    public const string RevocationsPath = "/admin/revocations";
    private const int MaxBodyBytes = 16 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapAdminRevocations(this WebApplication app, HubConfig config)
    {
        // The admin credential: a bearer token IT's tool presents, read once from a file (never from argv).
        byte[]? tokenHash = null;
        if (config.AdminTokenFile is { Length: > 0 } file)
        {
            var token = File.ReadAllText(file).Trim();
            if (token.Length < 32) throw new ArgumentException($"{file}: the admin token must be at least 32 characters");
            tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        }

        app.MapPost(RevocationsPath, async (HttpContext http, Store store, ConnectionRegistry registry,
            IHubContext<ClinicalHub> hub) =>
        {
            try
            {
                RequireAdmin(http, tokenHash);
                var revocation = await ReadRevocation(http);
                var (device, stored, deviceChanged, created) = store.StoreSignedRevocation(revocation, Clock.Now());
                if (created) await Announce(hub, store, registry, stored, deviceChanged);
                return Results.Json(new { revocation = stored, device, created }, Json);
            }
            catch (HubException ex)
            {
                return Refusal(ex);
            }
        });
    }

    internal static void RequireAdmin(HttpContext http, byte[]? tokenHash)
    {
        if (tokenHash is null) throw HubErrors.Forbidden("the admin path is not enabled on this hub (no --admin-token-file)");
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            throw HubErrors.Make("unauthenticated", "an admin token is required");
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        if (!CryptographicOperations.FixedTimeEquals(presented, tokenHash))
            throw HubErrors.Make("unauthenticated", "the admin token is not valid");
    }

    private static async Task<RevocationRecord> ReadRevocation(HttpContext http)
    {
        if (http.Request.ContentLength > MaxBodyBytes) throw HubErrors.TooLarge($"the body is over {MaxBodyBytes} bytes");
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await http.Request.Body.ReadAsync(buffer.AsMemory(length))) > 0) length += read;
        if (length > MaxBodyBytes) throw HubErrors.TooLarge($"the body is over {MaxBodyBytes} bytes");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(buffer.AsMemory(0, length));
        }
        catch (JsonException)
        {
            throw HubErrors.Invalid("the body must be a JSON object");
        }
        using (doc)
        {
            var a = new Args(doc.RootElement);
            var signature = a.Base64("signature", 64);
            if (Convert.FromBase64String(signature).Length != 64)
                throw HubErrors.Invalid("'signature' must be a 64-byte Ed25519 signature");
            return new RevocationRecord(a.Id("userId"), a.Id("deviceId"),
                Args.ValidateTimestamp("revokedAt", a.String("revokedAt", 64)), signature);
        }
    }

    /// <summary>DeviceRevoked (signed) to every connection of the device; DirectoryChanged and presence if it was not revoked before.</summary>
    private static async Task Announce(IHubContext<ClinicalHub> hub, Store store, ConnectionRegistry registry,
        RevocationRecord r, bool newlyRevoked)
    {
        var (connections, wentOffline) = registry.Revoke(r.UserId, r.DeviceId);
        await hub.Clients.Clients(connections).SendAsync("DeviceRevoked",
            new SignedDeviceRevokedEvent(r.DeviceId, r.UserId, r.RevokedAt, r.Signature));
        if (!newlyRevoked) return;
        var watchers = registry.ConnectionsOf(store.UsersSharingWith(r.UserId).Append(r.UserId));
        await hub.Clients.Clients(watchers).SendAsync("DirectoryChanged",
            new DirectoryChangedEvent(r.UserId, r.DeviceId, "revoked", Clock.Now()));
        if (wentOffline)
            await hub.Clients.Clients(registry.ConnectionsOf(store.UsersSharingWith(r.UserId)))
                .SendAsync("Presence", registry.Presence(r.UserId));
    }

    internal static IResult Refusal(HubException ex)
    {
        var body = JsonDocument.Parse(ex.Message).RootElement.Clone();
        var status = body.GetProperty("code").GetString() switch
        {
            "unauthenticated" => StatusCodes.Status401Unauthorized,
            "forbidden" => StatusCodes.Status403Forbidden,
            "not_found" => StatusCodes.Status404NotFound,
            "conflict" => StatusCodes.Status409Conflict,
            "too_large" => StatusCodes.Status413PayloadTooLarge,
            "invalid" => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status500InternalServerError,
        };
        return Results.Json(body, statusCode: status);
    }
}

public sealed partial class ClinicalHub
{
    /// <summary>
    /// The signed revocation of one of the caller's devices, or null (not revoked, or revoked without IT's
    /// signature). Works before a device session, so a device refused with device_revoked can ask for it.
    /// </summary>
    public object GetRevocation(JsonElement arg)
    {
        var deviceId = new Args(arg).Id("deviceId");
        var device = store.GetDevice(deviceId) ?? throw HubErrors.NotFound($"device {deviceId} is not registered");
        if (device.UserId != UserId) throw HubErrors.Forbidden("this device belongs to another user");
        return new { revocation = store.GetSignedRevocation(deviceId) };
    }
}

public sealed partial class Store
{
    private bool _revocationTableReady;

    private void EnsureRevocationTable()
    {
        if (_revocationTableReady) return;
        Exec("""
            CREATE TABLE IF NOT EXISTS device_revocations(
              device_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, revoked_at TEXT NOT NULL, signature TEXT NOT NULL,
              posted_at TEXT NOT NULL);
            """);
        _revocationTableReady = true;
    }

    private static RevocationRecord ReadRevocation(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3));

    /// <summary>
    /// Keeps IT's signed revocation of a device (the newest replaces an older one) and revokes the device if it
    /// is not revoked yet. `not_found` for an unknown device or one of another user than named. Created = false
    /// when exactly this revocation was already stored.
    /// </summary>
    public (DeviceRecord Device, RevocationRecord Revocation, bool DeviceChanged, bool Created) StoreSignedRevocation(
        RevocationRecord r, string now)
    {
        lock (_lock)
        {
            EnsureRevocationTable();
            var d = Query($"SELECT {DeviceColumns} FROM devices WHERE device_id=$1", ReadDevice, r.DeviceId).FirstOrDefault();
            if (d is null || d.UserId != r.UserId)
                throw HubErrors.NotFound($"device {r.DeviceId} is not a registered device of user {r.UserId}");
            var existing = Query("SELECT user_id, device_id, revoked_at, signature FROM device_revocations WHERE device_id=$1",
                ReadRevocation, r.DeviceId).FirstOrDefault();
            if (existing == r && d.Revoked) return (d, r, false, false);
            var revoke = !d.Revoked;
            InTransaction(() =>
            {
                if (revoke) Exec("UPDATE devices SET revoked_at=$2 WHERE device_id=$1", r.DeviceId, now);
                Exec("""
                    INSERT INTO device_revocations(device_id, user_id, revoked_at, signature, posted_at) VALUES($1,$2,$3,$4,$5)
                    ON CONFLICT(device_id) DO UPDATE SET user_id=excluded.user_id, revoked_at=excluded.revoked_at,
                      signature=excluded.signature, posted_at=excluded.posted_at
                    """, r.DeviceId, r.UserId, r.RevokedAt, r.Signature, now);
                return 0;
            });
            return (revoke ? d with { Revoked = true, RevokedAt = now } : d, r, revoke, true);
        }
    }

    public RevocationRecord? GetSignedRevocation(string deviceId)
    {
        lock (_lock)
        {
            EnsureRevocationTable();
            return Query("SELECT user_id, device_id, revoked_at, signature FROM device_revocations WHERE device_id=$1",
                ReadRevocation, deviceId).FirstOrDefault();
        }
    }
}
