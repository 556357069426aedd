using Microsoft.Data.Sqlite;

namespace ClinicalHub;

public sealed record DeviceRecord(string DeviceId, string UserId, string SigningPublicKey, string EncryptionPublicKey,
    string SelfSignature, string CreatedAt, string RegisteredAt, bool Revoked, string? RevokedAt, string? LastSeenAt)
{
    /// <summary>The workstation name of a version 2 entry (signed by the device, opaque here); null for version 1.</summary>
    public string? DeviceName { get; init; }
}

public sealed record ConversationRecord(string ConversationId, string Kind, string CreatedBy, string CreatedAt,
    string[] Members, long LastSeq, long LastChangeSeq);

public sealed record MembershipChange(string ConversationId, long ChangeSeq, string Kind, string UserId, string ByUserId,
    long AfterSeq, string At);

public sealed record EnvelopeRecord(string ConversationId, long Seq, string EnvelopeId, string SenderUserId,
    string SenderDeviceId, string Payload, string ServerTime);

public sealed record ReceiptRecord(string ConversationId, long Seq, string UserId, string DeviceId, string Kind, string At);

/// <summary>
/// Durable state in one SQLite file (WAL, synchronous=FULL). Every write commits before the caller
/// acknowledges it, so a crash loses nothing that was acknowledged. One connection, one lock: simple and
/// fast enough for a reference server.
/// </summary>
public sealed partial class Store : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();
    private SqliteTransaction? _tx;
    /// <summary>When this database started recording last sign-ins (set by the version 2 migration), or null.</summary>
    private readonly string? _lastSeenSince;

    public Store(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        _db = new SqliteConnection($"Data Source={Path.Combine(dataDir, "hub.db")};Pooling=False");
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        Exec("""
            CREATE TABLE IF NOT EXISTS devices(
              device_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, signing_key TEXT NOT NULL,
              encryption_key TEXT NOT NULL, self_signature TEXT NOT NULL, created_at TEXT NOT NULL,
              registered_at TEXT NOT NULL, revoked_at TEXT, last_seen_at TEXT);
            CREATE INDEX IF NOT EXISTS devices_user ON devices(user_id);
            CREATE TABLE IF NOT EXISTS conversations(
              conversation_id TEXT PRIMARY KEY, kind TEXT NOT NULL, created_by TEXT NOT NULL,
              created_at TEXT NOT NULL, direct_key TEXT UNIQUE, last_seq INTEGER NOT NULL DEFAULT 0,
              last_change_seq INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS members(
              conversation_id TEXT NOT NULL REFERENCES conversations, user_id TEXT NOT NULL,
              PRIMARY KEY(conversation_id, user_id));
            CREATE INDEX IF NOT EXISTS members_user ON members(user_id);
            CREATE TABLE IF NOT EXISTS membership_changes(
              conversation_id TEXT NOT NULL REFERENCES conversations, change_seq INTEGER NOT NULL,
              kind TEXT NOT NULL, user_id TEXT NOT NULL, by_user_id TEXT NOT NULL, after_seq INTEGER NOT NULL,
              at TEXT NOT NULL, PRIMARY KEY(conversation_id, change_seq));
            CREATE TABLE IF NOT EXISTS envelopes(
              conversation_id TEXT NOT NULL REFERENCES conversations, seq INTEGER NOT NULL,
              envelope_id TEXT NOT NULL UNIQUE, sender_user_id TEXT NOT NULL, sender_device_id TEXT NOT NULL,
              payload TEXT NOT NULL, server_time TEXT NOT NULL, PRIMARY KEY(conversation_id, seq));
            CREATE TABLE IF NOT EXISTS receipts(
              conversation_id TEXT NOT NULL REFERENCES conversations, seq INTEGER NOT NULL, user_id TEXT NOT NULL,
              kind TEXT NOT NULL, device_id TEXT NOT NULL, at TEXT NOT NULL,
              PRIMARY KEY(conversation_id, seq, user_id, kind));
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """);
        CreateKeyTables();
        // Version 1 databases have no last_seen_at. Their devices were never seen, and counting expiry from
        // their registration would revoke every device older than the expiry at the first start of version 2;
        // so expiry counts from the upgrade for them.
        if (!Query("SELECT name FROM pragma_table_info('devices')", r => r.GetString(0)).Contains("last_seen_at"))
            InTransaction(() =>
            {
                Exec("ALTER TABLE devices ADD COLUMN last_seen_at TEXT");
                Exec("INSERT OR IGNORE INTO meta VALUES('last_seen_since', $1)", Clock.Now());
                return 0;
            });
        _lastSeenSince = Query("SELECT value FROM meta WHERE key='last_seen_since'", r => r.GetString(0)).FirstOrDefault();
        // Device names (version 2 directory entries): existing devices keep their version 1 entries, without one.
        if (!Query("SELECT name FROM pragma_table_info('devices')", r => r.GetString(0)).Contains("device_name"))
            Exec("ALTER TABLE devices ADD COLUMN device_name TEXT");
    }

    public void Dispose() => _db.Dispose();

    // ---- devices -------------------------------------------------------------------------------

    private const string DeviceColumns =
        "device_id, user_id, signing_key, encryption_key, self_signature, created_at, registered_at, revoked_at, last_seen_at, device_name";

    private static DeviceRecord ReadDevice(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2),
        r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), !r.IsDBNull(7), r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8))
    { DeviceName = r.IsDBNull(9) ? null : r.GetString(9) };

    public DeviceRecord? GetDevice(string deviceId)
    {
        lock (_lock) return Query($"SELECT {DeviceColumns} FROM devices WHERE device_id=$1", ReadDevice, deviceId).FirstOrDefault();
    }

    /// <summary>Registers a device; an identical re-registration returns the stored record (created = false).</summary>
    public (DeviceRecord Device, bool Created) RegisterDevice(DeviceRecord d)
    {
        lock (_lock)
        {
            var existing = Query($"SELECT {DeviceColumns} FROM devices WHERE device_id=$1", ReadDevice, d.DeviceId).FirstOrDefault();
            if (existing is not null)
            {
                if (existing.UserId != d.UserId) throw HubErrors.Conflict("this device id belongs to another user");
                if (existing.Revoked) throw HubErrors.DeviceRevoked(d.DeviceId);
                if (existing.SigningPublicKey != d.SigningPublicKey || existing.EncryptionPublicKey != d.EncryptionPublicKey
                    || existing.SelfSignature != d.SelfSignature || existing.CreatedAt != d.CreatedAt
                    || existing.DeviceName != d.DeviceName)
                    throw HubErrors.Conflict("this device id is already registered with other keys");
                return (existing, false);
            }
            Exec($"INSERT INTO devices({DeviceColumns}) VALUES($1,$2,$3,$4,$5,$6,$7,NULL,$8,$9)", d.DeviceId, d.UserId,
                d.SigningPublicKey, d.EncryptionPublicKey, d.SelfSignature, d.CreatedAt, d.RegisteredAt, d.LastSeenAt, d.DeviceName);
            return (d, true);
        }
    }

    /// <summary>Records that a connection bound to the device now; returns the updated record.</summary>
    public DeviceRecord TouchDevice(string deviceId, string now)
    {
        lock (_lock)
        {
            Exec("UPDATE devices SET last_seen_at=$2 WHERE device_id=$1", deviceId, now);
            return Query($"SELECT {DeviceColumns} FROM devices WHERE device_id=$1", ReadDevice, deviceId).First();
        }
    }

    /// <summary>Whether the device has not been bound for `days` days (since its registration, or the upgrade, if never).</summary>
    public bool IsExpired(DeviceRecord d, int days, DateTimeOffset now)
    {
        static DateTimeOffset Parse(string s) =>
            DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
        var since = d.LastSeenAt is { } seen ? Parse(seen)
            : _lastSeenSince is { } upgraded ? Max(Parse(d.RegisteredAt), Parse(upgraded))
            : Parse(d.RegisteredAt);
        return now - since > TimeSpan.FromDays(days);

        static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    }

    public List<DeviceRecord> ListDevices(IReadOnlyList<string> userIds)
    {
        lock (_lock)
            return userIds.SelectMany(u => Query(
                    $"SELECT {DeviceColumns} FROM devices WHERE user_id=$1 ORDER BY registered_at, device_id", ReadDevice, u))
                .ToList();
    }

    public (DeviceRecord Device, bool Changed) RevokeDevice(string deviceId, string ownerId, string now)
    {
        lock (_lock)
        {
            var d = Query($"SELECT {DeviceColumns} FROM devices WHERE device_id=$1", ReadDevice, deviceId).FirstOrDefault()
                    ?? throw HubErrors.NotFound($"device {deviceId} is not registered");
            if (d.UserId != ownerId) throw HubErrors.Forbidden("only the device's owner may revoke it");
            if (d.Revoked) return (d, false);
            Exec("UPDATE devices SET revoked_at=$2 WHERE device_id=$1", deviceId, now);
            return (d with { Revoked = true, RevokedAt = now }, true);
        }
    }

    // ---- conversations and membership ----------------------------------------------------------

    private ConversationRecord? Conversation(string id)
    {
        var row = Query("SELECT conversation_id, kind, created_by, created_at, last_seq, last_change_seq FROM conversations WHERE conversation_id=$1",
            r => (Id: r.GetString(0), Kind: r.GetString(1), By: r.GetString(2), At: r.GetString(3), Seq: r.GetInt64(4), Change: r.GetInt64(5)), id)
            .Select(x => (x.Id, x.Kind, x.By, x.At, x.Seq, x.Change)).ToList();
        if (row.Count == 0) return null;
        var c = row[0];
        var members = Query("SELECT user_id FROM members WHERE conversation_id=$1 ORDER BY user_id", r => r.GetString(0), id).ToArray();
        return new ConversationRecord(c.Id, c.Kind, c.By, c.At, members, c.Seq, c.Change);
    }

    public ConversationRecord? GetConversation(string id)
    {
        lock (_lock) return Conversation(id);
    }

    /// <summary>The conversation, if `userId` is a current member; otherwise not_found / forbidden.</summary>
    public ConversationRecord RequireMember(string conversationId, string userId)
    {
        var c = GetConversation(conversationId) ?? throw HubErrors.NotFound($"conversation {conversationId} does not exist");
        if (!c.Members.Contains(userId)) throw HubErrors.Forbidden("you are not a member of this conversation");
        return c;
    }

    public List<ConversationRecord> ListConversations(string userId)
    {
        lock (_lock)
            return Query("SELECT conversation_id FROM members WHERE user_id=$1 ORDER BY conversation_id", r => r.GetString(0), userId)
                .Select(id => Conversation(id)!).ToList();
    }

    public (ConversationRecord Conversation, List<MembershipChange> Changes, bool Created) CreateConversation(
        string id, string kind, string creator, IReadOnlyList<string> members, string now)
    {
        lock (_lock)
        {
            var directKey = kind == "direct" ? string.Join('|', members.Order(StringComparer.Ordinal)) : null;
            var existingDirect = directKey is null ? null
                : Query("SELECT conversation_id FROM conversations WHERE direct_key=$1", r => r.GetString(0), directKey).FirstOrDefault();
            if (existingDirect is not null) return (Conversation(existingDirect)!, [], false);
            if (Conversation(id) is { } existing)
            {
                // Only the creator's retry of the same request gets it back; anyone else learns nothing about it.
                if (existing.Kind != kind || existing.CreatedBy != creator) throw HubErrors.Conflict($"conversation {id} already exists");
                return (existing, [], false);
            }
            var changes = InTransaction(() =>
            {
                Exec("INSERT INTO conversations(conversation_id, kind, created_by, created_at, direct_key) VALUES($1,$2,$3,$4,$5)",
                    id, kind, creator, now, directKey);
                return members.Select(m => AddChange(id, "added", m, creator, now)).ToList();
            });
            return (Conversation(id)!, changes, true);
        }
    }

    private MembershipChange AddChange(string conversationId, string kind, string userId, string by, string now)
    {
        if (kind == "added") Exec("INSERT INTO members VALUES($1,$2)", conversationId, userId);
        else Exec("DELETE FROM members WHERE conversation_id=$1 AND user_id=$2", conversationId, userId);
        Exec("UPDATE conversations SET last_change_seq = last_change_seq + 1 WHERE conversation_id=$1", conversationId);
        var (changeSeq, afterSeq) = Query("SELECT last_change_seq, last_seq FROM conversations WHERE conversation_id=$1",
            r => (r.GetInt64(0), r.GetInt64(1)), conversationId).First();
        Exec("INSERT INTO membership_changes VALUES($1,$2,$3,$4,$5,$6,$7)", conversationId, changeSeq, kind, userId, by, afterSeq, now);
        return new MembershipChange(conversationId, changeSeq, kind, userId, by, afterSeq, now);
    }

    /// <summary>Adds or removes one member of a group conversation, recording the change in its sequence.</summary>
    public (ConversationRecord Conversation, MembershipChange Change) ChangeMember(
        string conversationId, string kind, string userId, string by, string now)
    {
        lock (_lock)
        {
            var c = Conversation(conversationId) ?? throw HubErrors.NotFound($"conversation {conversationId} does not exist");
            if (!c.Members.Contains(by)) throw HubErrors.Forbidden("you are not a member of this conversation");
            if (c.Kind != "group") throw HubErrors.Invalid("members can only be changed in group conversations");
            var isMember = c.Members.Contains(userId);
            if (kind == "added" && isMember) throw HubErrors.Conflict($"{userId} is already a member");
            if (kind == "removed")
            {
                if (!isMember) throw HubErrors.NotFound($"{userId} is not a member");
                if (userId != by && c.CreatedBy != by) throw HubErrors.Forbidden("only the creator may remove other members");
            }
            var change = InTransaction(() => AddChange(conversationId, kind, userId, by, now));
            return (Conversation(conversationId)!, change);
        }
    }

    public List<MembershipChange> MembershipHistory(string conversationId)
    {
        lock (_lock)
            return Query("SELECT conversation_id, change_seq, kind, user_id, by_user_id, after_seq, at FROM membership_changes WHERE conversation_id=$1 ORDER BY change_seq",
                r => new MembershipChange(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetString(6)),
                conversationId);
    }

    /// <summary>Users who currently share at least one conversation with `userId` (not including them).</summary>
    public List<string> UsersSharingWith(string userId)
    {
        lock (_lock)
            return Query("SELECT DISTINCT b.user_id FROM members a JOIN members b ON a.conversation_id=b.conversation_id WHERE a.user_id=$1 AND b.user_id<>$1",
                r => r.GetString(0), userId);
    }

    // ---- envelopes -----------------------------------------------------------------------------

    private static EnvelopeRecord ReadEnvelope(SqliteDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6));

    private const string EnvelopeColumns = "conversation_id, seq, envelope_id, sender_user_id, sender_device_id, payload, server_time";

    /// <summary>
    /// Stores an envelope under the next sequence number; a resend of the same envelope returns the first result
    /// (without checking coverage again). A new envelope must pass the coverage rule for `keyId` (stale_recipients).
    /// </summary>
    public (EnvelopeRecord Envelope, bool Duplicate) AppendEnvelope(string conversationId, string envelopeId, string senderUserId,
        string senderDeviceId, string payload, string? keyId, string now)
    {
        lock (_lock)
        {
            var existing = Query($"SELECT {EnvelopeColumns} FROM envelopes WHERE envelope_id=$1", ReadEnvelope, envelopeId).FirstOrDefault();
            if (existing is not null)
            {
                if (existing.ConversationId != conversationId || existing.SenderDeviceId != senderDeviceId || existing.Payload != payload)
                    throw HubErrors.Conflict($"envelope {envelopeId} was already sent with different content");
                return (existing, true);
            }
            RequireSendCoverage(conversationId, keyId);
            var seq = InTransaction(() =>
            {
                Exec("UPDATE conversations SET last_seq = last_seq + 1 WHERE conversation_id=$1", conversationId);
                var next = Query("SELECT last_seq FROM conversations WHERE conversation_id=$1", r => r.GetInt64(0), conversationId).First();
                Exec("INSERT INTO envelopes VALUES($1,$2,$3,$4,$5,$6,$7)", conversationId, next, envelopeId, senderUserId, senderDeviceId, payload, now);
                return next;
            });
            return (new EnvelopeRecord(conversationId, seq, envelopeId, senderUserId, senderDeviceId, payload, now), false);
        }
    }

    /// <summary>Envelopes after each cursor, ordered by conversation then seq, cut at `limit` envelopes or a page of payload.</summary>
    public (List<EnvelopeRecord> Envelopes, bool More) Sync(IReadOnlyList<string> conversationIds,
        IReadOnlyDictionary<string, long> cursors, int limit)
    {
        lock (_lock)
        {
            var result = new List<EnvelopeRecord>();
            long chars = 0;
            foreach (var id in conversationIds.Order(StringComparer.Ordinal))
            {
                var after = cursors.GetValueOrDefault(id, 0);
                var page = Query($"SELECT {EnvelopeColumns} FROM envelopes WHERE conversation_id=$1 AND seq>$2 ORDER BY seq LIMIT $3",
                    ReadEnvelope, id, after, limit - result.Count + 1);
                foreach (var e in page)
                {
                    if (result.Count == limit || (result.Count > 0 && chars + e.Payload.Length > HubConfig.SyncPageChars))
                        return (result, true);
                    result.Add(e);
                    chars += e.Payload.Length;
                }
            }
            return (result, false);
        }
    }

    // ---- receipts ------------------------------------------------------------------------------

    private static ReceiptRecord ReadReceipt(SqliteDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5));

    public (ReceiptRecord Receipt, bool Created) AddReceipt(ReceiptRecord receipt)
    {
        lock (_lock)
        {
            var lastSeq = Query("SELECT last_seq FROM conversations WHERE conversation_id=$1", r => r.GetInt64(0), receipt.ConversationId).First();
            if (receipt.Seq > lastSeq) throw HubErrors.NotFound($"there is no envelope {receipt.Seq} in this conversation");
            var existing = Query("SELECT conversation_id, seq, user_id, device_id, kind, at FROM receipts WHERE conversation_id=$1 AND seq=$2 AND user_id=$3 AND kind=$4",
                ReadReceipt, receipt.ConversationId, receipt.Seq, receipt.UserId, receipt.Kind).FirstOrDefault();
            if (existing is not null) return (existing, false);
            Exec("INSERT INTO receipts(conversation_id, seq, user_id, device_id, kind, at) VALUES($1,$2,$3,$4,$5,$6)",
                receipt.ConversationId, receipt.Seq, receipt.UserId, receipt.DeviceId, receipt.Kind, receipt.At);
            return (receipt, true);
        }
    }

    public List<ReceiptRecord> GetReceipts(string conversationId, long afterSeq, int limit)
    {
        lock (_lock)
            return Query("SELECT conversation_id, seq, user_id, device_id, kind, at FROM receipts WHERE conversation_id=$1 AND seq>$2 ORDER BY seq, at, user_id, kind LIMIT $3",
                ReadReceipt, conversationId, afterSeq, limit);
    }

    // ---- plumbing ------------------------------------------------------------------------------

    /// <summary>Runs `work` in one transaction that is committed (durably, synchronous=FULL) before returning.</summary>
    private T InTransaction<T>(Func<T> work)
    {
        using var tx = _db.BeginTransaction();
        _tx = tx;
        try
        {
            var result = work();
            tx.Commit();
            return result;
        }
        finally
        {
            _tx = null;
        }
    }

    private SqliteCommand Command(string sql, object?[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.Transaction = _tx;
        cmd.CommandText = sql;
        for (var i = 0; i < args.Length; i++) cmd.Parameters.AddWithValue("$" + (i + 1), args[i] ?? DBNull.Value);
        return cmd;
    }

    private void Exec(string sql, params object?[] args)
    {
        using var cmd = Command(sql, args);
        cmd.ExecuteNonQuery();
    }

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params object?[] args)
    {
        using var cmd = Command(sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(read(r));
        return list;
    }
}
