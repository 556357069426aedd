using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Data.Sqlite;

namespace ClinicalHub;

/// <summary>One role of the roster, exactly as IT signed it (docs/roster.md). The hub cannot check the signature.</summary>
public sealed record RosterEntryRecord(string RoleId, string Name, string[] Holders, string? Backup, long Serial,
    string SignedAt, string Signature);

/// <summary>Pushed to every connection when IT changes a role: clients ask GetRoster again and verify.</summary>
public sealed record RosterChangedEvent(string RoleId, long Serial, string At);

/// <summary>
/// The roster of roles and functions (docs/roster.md): `GetRoster` serves every entry as stored; IT changes one
/// with `POST /admin/roster` (the admin token, like revocations), which pushes `RosterChanged`. Entries are
/// signed by IT's key; the hub only keeps them in serial order, and clients verify each against their policy.
/// A roster file (`--roster-file`, a JSON array of signed entries) seeds roles the database does not have yet.
/// </summary>
public static class RosterEndpoints
{
    public const string RosterPath = "/admin/roster";
    public const int MaxHolders = 16;
    private const int MaxBodyBytes = 16 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapAdminRoster(this WebApplication app, HubConfig config)
    {
        byte[]? tokenHash = null;
        if (config.AdminTokenFile is { Length: > 0 } file)
            tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim()));
        if (config.RosterFile is { Length: > 0 } seed)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(seed));
            var entries = doc.RootElement.EnumerateArray().Select(e => Parse(e)).ToList();
            app.Services.GetRequiredService<Store>().SeedRoster(entries, Clock.Now());
        }

        app.MapPost(RosterPath, async (HttpContext http, Store store, IHubContext<ClinicalHub> hub) =>
        {
            try
            {
                AdminEndpoints.RequireAdmin(http, tokenHash);
                var entry = Parse(await ReadBody(http));
                var (stored, created) = store.PutRosterEntry(entry, Clock.Now());
                if (created) await hub.Clients.All.SendAsync("RosterChanged", new RosterChangedEvent(stored.RoleId, stored.Serial, Clock.Now()));
                return Results.Json(new { entry = stored, created }, Json);
            }
            catch (HubException ex)
            {
                return AdminEndpoints.Refusal(ex);
            }
        });
    }

    private static async Task<JsonElement> ReadBody(HttpContext http)
    {
        if (http.Request.ContentLength > MaxBodyBytes) throw HubErrors.TooLarge($"the body is over {MaxBodyBytes} bytes");
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await http.Request.Body.ReadAsync(buffer.AsMemory(length))) > 0) length += read;
        if (length > MaxBodyBytes) throw HubErrors.TooLarge($"the body is over {MaxBodyBytes} bytes");
        try
        {
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw HubErrors.Invalid("the body must be a JSON object");
        }
    }

    /// <summary>Checks the shape only (bounded fields, holders in IT's order); the signature is the clients' to check.</summary>
    public static RosterEntryRecord Parse(JsonElement element)
    {
        var a = new Args(element);
        var holders = new List<string>();
        foreach (var item in a.Array("holders", MaxHolders))
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= 128 } s)
                throw HubErrors.Invalid("'holders' must hold user ids");
            holders.Add(Args.CheckId("holders", s));
        }
        var signature = a.Base64("signature", 64);
        if (Convert.FromBase64String(signature).Length != 64)
            throw HubErrors.Invalid("'signature' must be a 64-byte Ed25519 signature");
        return new RosterEntryRecord(a.Id("roleId"), a.String("name", 120), holders.ToArray(), a.OptId("backup"),
            a.Long("serial", 1, 9007199254740991), Args.ValidateTimestamp("signedAt", a.String("signedAt", 64)), signature);
    }
}

public sealed partial class ClinicalHub
{
    /// <summary>Every roster entry as IT signed it, in role order. Works before a device session.</summary>
    public object GetRoster(JsonElement arg)
    {
        _ = new Args(arg);
        return new { entries = store.ListRoster() };
    }
}

public sealed partial class Store
{
    private bool _rosterTableReady;

    private void EnsureRosterTable()
    {
        if (_rosterTableReady) return;
        Exec("""
            CREATE TABLE IF NOT EXISTS roster(
              role_id TEXT PRIMARY KEY, name TEXT NOT NULL, holders TEXT NOT NULL, backup TEXT,
              serial INTEGER NOT NULL, signed_at TEXT NOT NULL, signature TEXT NOT NULL, posted_at TEXT NOT NULL);
            """);
        _rosterTableReady = true;
    }

    private const string RosterColumns = "role_id, name, holders, backup, serial, signed_at, signature";

    private static RosterEntryRecord ReadRosterEntry(SqliteDataReader r) => new(r.GetString(0), r.GetString(1),
        JsonSerializer.Deserialize<string[]>(r.GetString(2)) ?? [], r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4),
        r.GetString(5), r.GetString(6));

    public List<RosterEntryRecord> ListRoster()
    {
        lock (_lock)
        {
            EnsureRosterTable();
            return Query($"SELECT {RosterColumns} FROM roster ORDER BY role_id", ReadRosterEntry);
        }
    }

    /// <summary>
    /// Keeps IT's newest entry of a role: `conflict` for an older serial, or another entry at the same serial;
    /// created = false when exactly this entry is already stored.
    /// </summary>
    public (RosterEntryRecord Entry, bool Created) PutRosterEntry(RosterEntryRecord e, string now)
    {
        lock (_lock)
        {
            EnsureRosterTable();
            var existing = Query($"SELECT {RosterColumns} FROM roster WHERE role_id=$1", ReadRosterEntry, e.RoleId).FirstOrDefault();
            if (existing is not null)
            {
                if (existing.Serial == e.Serial && existing.Signature == e.Signature) return (existing, false);
                if (e.Serial <= existing.Serial)
                    throw HubErrors.Conflict($"role {e.RoleId} is at serial {existing.Serial}; a change needs a higher serial");
            }
            Exec($"""
                INSERT INTO roster({RosterColumns}, posted_at) VALUES($1,$2,$3,$4,$5,$6,$7,$8)
                ON CONFLICT(role_id) DO UPDATE SET name=excluded.name, holders=excluded.holders, backup=excluded.backup,
                  serial=excluded.serial, signed_at=excluded.signed_at, signature=excluded.signature, posted_at=excluded.posted_at
                """, e.RoleId, e.Name, JsonSerializer.Serialize(e.Holders), e.Backup, e.Serial, e.SignedAt, e.Signature, now);
            return (e, true);
        }
    }

    /// <summary>Adds the seed's roles the database does not hold yet; never replaces a stored (possibly newer) entry.</summary>
    public void SeedRoster(IEnumerable<RosterEntryRecord> entries, string now)
    {
        lock (_lock)
        {
            EnsureRosterTable();
            foreach (var e in entries)
                Exec($"INSERT OR IGNORE INTO roster({RosterColumns}, posted_at) VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
                    e.RoleId, e.Name, JsonSerializer.Serialize(e.Holders), e.Backup, e.Serial, e.SignedAt, e.Signature, now);
        }
    }
}
