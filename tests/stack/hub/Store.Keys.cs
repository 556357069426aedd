using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace ClinicalHub;

public sealed record UserKeyRecord(string UserId, long Epoch, string PublicKey, string CreatedAt, string SignerDeviceId,
    string Signature, string PublishedAt);

public sealed record KeyRecipient(string UserId, long Epoch, string SealedKey);

public sealed record KeyCompliance(string KeyFingerprint, string SealedKey);

public sealed record ConversationKeyRecord(string ConversationId, string KeyId, string SenderUserId, string SenderDeviceId,
    string CreatedAt, List<KeyRecipient> Recipients, KeyCompliance? Compliance, string Signature, string PublishedAt);

public sealed record KeyReleaseRecord(string ReleaseId, string UserId, string ToDeviceId, string FromDeviceId, string CreatedAt,
    string Sealed, string Signature, string PostedAt);

/// <summary>A current member and the epoch of their newest user key (null: they have none).</summary>
public sealed record MemberEpoch(string UserId, long? Epoch);

/// <summary>
/// Protocol version 2 state: the user-key directory, conversation keys (grants) and the own-device key-release
/// mailbox (docs/key-design.md). All of it is signed or sealed by clients; the hub stores it, keeps epochs in
/// order, and enforces the coverage rule so no envelope leaves out a current member.
/// </summary>
public sealed partial class Store
{
    private static readonly JsonSerializerOptions RecordJson = new(JsonSerializerDefaults.Web);

    private void CreateKeyTables() => Exec("""
        CREATE TABLE IF NOT EXISTS user_keys(
          user_id TEXT NOT NULL, epoch INTEGER NOT NULL, public_key TEXT NOT NULL, created_at TEXT NOT NULL,
          signer_device_id TEXT NOT NULL, signature TEXT NOT NULL, published_at TEXT NOT NULL,
          PRIMARY KEY(user_id, epoch));
        CREATE TABLE IF NOT EXISTS conversation_keys(
          n INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL REFERENCES conversations,
          key_id TEXT NOT NULL, sender_user_id TEXT NOT NULL, sender_device_id TEXT NOT NULL, created_at TEXT NOT NULL,
          recipients TEXT NOT NULL, compliance TEXT, signature TEXT NOT NULL, published_at TEXT NOT NULL,
          UNIQUE(conversation_id, key_id));
        CREATE TABLE IF NOT EXISTS key_releases(
          n INTEGER PRIMARY KEY AUTOINCREMENT, release_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
          to_device_id TEXT NOT NULL, from_device_id TEXT NOT NULL, created_at TEXT NOT NULL, sealed TEXT NOT NULL,
          signature TEXT NOT NULL, posted_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS key_releases_to ON key_releases(to_device_id);
        """);

    // ---- user keys -----------------------------------------------------------------------------

    private const string UserKeyColumns = "user_id, epoch, public_key, created_at, signer_device_id, signature, published_at";

    private static UserKeyRecord ReadUserKey(SqliteDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6));

    /// <summary>
    /// Adds the user's next epoch. Only exactly max + 1 (or 1) is accepted, so two devices racing to rotate end with
    /// one winner; an identical re-publish returns the stored record (created = false).
    /// </summary>
    public (UserKeyRecord UserKey, bool Created) PublishUserKey(UserKeyRecord k)
    {
        lock (_lock)
        {
            var existing = Query($"SELECT {UserKeyColumns} FROM user_keys WHERE user_id=$1 AND epoch=$2", ReadUserKey, k.UserId, k.Epoch)
                .FirstOrDefault();
            if (existing is not null)
            {
                if (existing with { PublishedAt = k.PublishedAt } != k)
                    throw HubErrors.Conflict($"epoch {k.Epoch} of this user key is already published with other content");
                return (existing, false);
            }
            var latest = LatestEpoch(k.UserId) ?? 0;
            if (k.Epoch != latest + 1)
                throw HubErrors.Conflict($"the next user-key epoch is {latest + 1}, not {k.Epoch}");
            Exec($"INSERT INTO user_keys({UserKeyColumns}) VALUES($1,$2,$3,$4,$5,$6,$7)", k.UserId, k.Epoch, k.PublicKey,
                k.CreatedAt, k.SignerDeviceId, k.Signature, k.PublishedAt);
            return (k, true);
        }
    }

    private long? LatestEpoch(string userId) =>
        Query("SELECT MAX(epoch) FROM user_keys WHERE user_id=$1", r => r.IsDBNull(0) ? (long?)null : r.GetInt64(0), userId).First();

    /// <summary>Each user's newest key (or every epoch with `all`), by user as given, then epoch; users without keys left out.</summary>
    public List<UserKeyRecord> GetUserKeys(IReadOnlyList<string> userIds, bool all)
    {
        var sql = all
            ? $"SELECT {UserKeyColumns} FROM user_keys WHERE user_id=$1 ORDER BY epoch"
            : $"SELECT {UserKeyColumns} FROM user_keys WHERE user_id=$1 ORDER BY epoch DESC LIMIT 1";
        lock (_lock) return userIds.SelectMany(u => Query(sql, ReadUserKey, u)).ToList();
    }

    // ---- conversation keys and the coverage rule -------------------------------------------------

    private const string ConversationKeyColumns =
        "conversation_id, key_id, sender_user_id, sender_device_id, created_at, recipients, compliance, signature, published_at";

    private static ConversationKeyRecord ReadConversationKey(SqliteDataReader r) => new(r.GetString(0), r.GetString(1),
        r.GetString(2), r.GetString(3), r.GetString(4), JsonSerializer.Deserialize<List<KeyRecipient>>(r.GetString(5), RecordJson)!,
        r.IsDBNull(6) ? null : JsonSerializer.Deserialize<KeyCompliance>(r.GetString(6), RecordJson), r.GetString(7), r.GetString(8));

    private ConversationKeyRecord? ConversationKey(string conversationId, string keyId) =>
        Query($"SELECT {ConversationKeyColumns} FROM conversation_keys WHERE conversation_id=$1 AND key_id=$2",
            ReadConversationKey, conversationId, keyId).FirstOrDefault();

    /// <summary>Every current member with their newest user-key epoch, by user id.</summary>
    private List<MemberEpoch> CurrentEpochs(string conversationId) =>
        Query("""
            SELECT m.user_id, (SELECT MAX(epoch) FROM user_keys k WHERE k.user_id = m.user_id)
            FROM members m WHERE m.conversation_id=$1 ORDER BY m.user_id
            """, r => new MemberEpoch(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt64(1)), conversationId);

    /// <summary>
    /// Why `recipients` (one entry per user) do not cover the current members, or null when they do: every member
    /// with a user key must be a recipient at their newest epoch, and no recipient may be outside the members.
    /// `exact` (publishing) also refuses a recipient who has no user key at all.
    /// </summary>
    private static string? CoverageProblem(List<MemberEpoch> current, IReadOnlyList<KeyRecipient> recipients, bool exact)
    {
        var sealedTo = recipients.ToDictionary(r => r.UserId, r => r.Epoch);
        foreach (var m in current)
            if (m.Epoch is { } epoch && (!sealedTo.TryGetValue(m.UserId, out var got) || got != epoch))
                return $"member {m.UserId} is not a recipient at their current epoch {epoch}";
        var members = current.ToDictionary(m => m.UserId, m => m.Epoch);
        foreach (var r in recipients)
        {
            if (!members.TryGetValue(r.UserId, out var epoch)) return $"recipient {r.UserId} is not a member";
            if (exact && epoch is null) return $"recipient {r.UserId} has no user key";
        }
        return null;
    }

    /// <summary>The coverage rule for a new envelope (runs under the store lock, just before it is stored).</summary>
    private void RequireSendCoverage(string conversationId, string? keyId)
    {
        var current = CurrentEpochs(conversationId);
        // Legacy conversations (no member has a user key) send as in version 1, with or without a key id.
        if (current.All(m => m.Epoch is null)) return;
        if (keyId is null)
            throw HubErrors.StaleRecipients("members of this conversation have user keys: the envelope must name its conversation key (keyId)", current);
        var key = ConversationKey(conversationId, keyId)
                  ?? throw HubErrors.StaleRecipients($"conversation key {keyId} is not published in this conversation", current);
        if (CoverageProblem(current, key.Recipients, exact: false) is { } why)
            throw HubErrors.StaleRecipients($"conversation key {keyId} is stale: {why}", current);
    }

    /// <summary>
    /// Stores a grant. Its key id is unique in the conversation: an identical re-publish returns the stored one
    /// (created = false, not checked again), other content is a conflict. A new grant must cover exactly the
    /// current members that have user keys, each at their newest epoch (stale_recipients).
    /// </summary>
    public (ConversationKeyRecord ConversationKey, bool Created) PublishConversationKey(ConversationKeyRecord k)
    {
        lock (_lock)
        {
            if (ConversationKey(k.ConversationId, k.KeyId) is { } existing)
            {
                if (existing with { PublishedAt = k.PublishedAt, Recipients = k.Recipients } != k
                    || !existing.Recipients.SequenceEqual(k.Recipients))
                    throw HubErrors.Conflict($"conversation key {k.KeyId} is already published with other content");
                return (existing, false);
            }
            var current = CurrentEpochs(k.ConversationId);
            if (CoverageProblem(current, k.Recipients, exact: true) is { } why)
                throw HubErrors.StaleRecipients($"the recipients are not the current members at their current epochs: {why}", current);
            Exec($"INSERT INTO conversation_keys({ConversationKeyColumns}) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)", k.ConversationId,
                k.KeyId, k.SenderUserId, k.SenderDeviceId, k.CreatedAt, JsonSerializer.Serialize(k.Recipients, RecordJson),
                k.Compliance is null ? null : JsonSerializer.Serialize(k.Compliance, RecordJson), k.Signature, k.PublishedAt);
            return (k, true);
        }
    }

    /// <summary>The conversation's grants in publish order: all, or those named (unknown ids left out).</summary>
    public List<ConversationKeyRecord> GetConversationKeys(string conversationId, IReadOnlyList<string>? keyIds)
    {
        lock (_lock)
        {
            var all = Query($"SELECT {ConversationKeyColumns} FROM conversation_keys WHERE conversation_id=$1 ORDER BY n",
                ReadConversationKey, conversationId);
            if (keyIds is null) return all;
            var wanted = keyIds.ToHashSet();
            return all.Where(k => wanted.Contains(k.KeyId)).ToList();
        }
    }

    // ---- own-device key releases -----------------------------------------------------------------

    private const string KeyReleaseColumns =
        "release_id, user_id, to_device_id, from_device_id, created_at, sealed, signature, posted_at";

    private static KeyReleaseRecord ReadKeyRelease(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2),
        r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7));

    /// <summary>Posts a sealed release to a device's mailbox; idempotent on the release id.</summary>
    public (KeyReleaseRecord Release, bool Created) PostKeyRelease(KeyReleaseRecord k)
    {
        lock (_lock)
        {
            var existing = Query($"SELECT {KeyReleaseColumns} FROM key_releases WHERE release_id=$1", ReadKeyRelease, k.ReleaseId)
                .FirstOrDefault();
            if (existing is not null)
            {
                if (existing with { PostedAt = k.PostedAt } != k)
                    throw HubErrors.Conflict($"key release {k.ReleaseId} was already posted with other content");
                return (existing, false);
            }
            Exec($"INSERT INTO key_releases({KeyReleaseColumns}) VALUES($1,$2,$3,$4,$5,$6,$7,$8)", k.ReleaseId, k.UserId,
                k.ToDeviceId, k.FromDeviceId, k.CreatedAt, k.Sealed, k.Signature, k.PostedAt);
            return (k, true);
        }
    }

    public List<KeyReleaseRecord> GetKeyReleases(string toDeviceId)
    {
        lock (_lock)
            return Query($"SELECT {KeyReleaseColumns} FROM key_releases WHERE to_device_id=$1 ORDER BY n", ReadKeyRelease, toDeviceId);
    }

    /// <summary>
    /// Deletes a release from its addressee's mailbox. An unknown id answers false (a retried delete), one
    /// addressed to another device is not_found.
    /// </summary>
    public bool DeleteKeyRelease(string releaseId, string toDeviceId)
    {
        lock (_lock)
        {
            var to = Query("SELECT to_device_id FROM key_releases WHERE release_id=$1", r => r.GetString(0), releaseId).FirstOrDefault();
            if (to is null) return false;
            if (to != toDeviceId) throw HubErrors.NotFound($"key release {releaseId} is not addressed to this device");
            Exec("DELETE FROM key_releases WHERE release_id=$1", releaseId);
            return true;
        }
    }
}
