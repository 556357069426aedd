using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace ClinicalHub;

public sealed record SendResult(string ConversationId, string EnvelopeId, long Seq, string ServerTime, bool Duplicate);
public sealed record TypingEvent(string ConversationId, string UserId, string DeviceId, bool Typing, string At);
public sealed record DeviceRevokedEvent(string DeviceId, string UserId, string RevokedAt);
public sealed record DirectoryChangedEvent(string UserId, string DeviceId, string Change, string At);
public sealed record UserKeyChangedEvent(string UserId, long Epoch, string At);
public sealed record KeyReleasedEvent(string ReleaseId, string ToDeviceId, string FromDeviceId, string At);
public sealed record MembershipChangedEvent(ConversationRecord Conversation, List<MembershipChange> Changes);
public sealed record Limits(int MaxEnvelopeBytes, double CallsPerSecond, double CallBurst, int MaxSyncLimit, long MaxReceiveMessageBytes);
public sealed record HelloResult(int ProtocolVersion, string UserId, UserRecord? User, string[] Roles, string? DeviceId,
    Limits Limits, string ServerTime, string? MinimumClientVersion);

/// <summary>
/// The hub of docs/hub-protocol.md. Every method takes one JSON object and answers one JSON value; every
/// refusal is a HubException carrying {"code","message"}. It stores only public keys, membership, opaque
/// envelopes and sealed key material; it never sees plaintext, and the only signature it checks is a device's
/// proof of possession at RegisterDevice (Registration.cs).
/// </summary>
[Authorize]
public sealed partial class ClinicalHub(Store store, UserDirectory directory, ConnectionRegistry registry, HubConfig config) : Hub
{
    private static readonly string[] ReceiptKinds = ["delivered", "read", "acknowledged"];

    private ConnectionState State => registry.Get(Context.ConnectionId) ?? throw HubErrors.Internal();
    private string UserId => State.UserId;
    private string DeviceId => State.DeviceId ?? throw HubErrors.DeviceRequired();

    public override Task OnConnectedAsync()
    {
        var userId = Auth.UserId(Context.User);
        if (userId is null)
        {
            Context.Abort();
            return Task.CompletedTask;
        }
        registry.Add(new ConnectionState(Context.ConnectionId, userId, new TokenBucket(config.CallsPerSecond, config.CallBurst)));
        return Task.CompletedTask;
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        var userId = registry.Get(Context.ConnectionId)?.UserId;
        if (userId is not null && registry.Remove(Context.ConnectionId)) await PushPresence(userId);
    }

    // ---- session and key directory -------------------------------------------------------------

    public async Task<HelloResult> Hello(JsonElement arg)
    {
        var a = new Args(arg);
        var deviceId = a.OptId("deviceId");
        if (deviceId is not null)
        {
            var device = store.GetDevice(deviceId) ?? throw HubErrors.NotFound($"device {deviceId} is not registered");
            if (device.UserId != UserId) throw HubErrors.Forbidden("this device belongs to another user");
            if (device.Revoked) throw HubErrors.DeviceRevoked(deviceId);
            await RefuseIfExpired(device);
            await BindTo(deviceId);
        }
        return new HelloResult(HubConfig.ProtocolVersion, UserId, directory.Get(UserId), Auth.Roles(Context.User), State.DeviceId,
            new Limits(config.MaxEnvelopeBytes, config.CallsPerSecond, config.CallBurst, HubConfig.MaxSyncLimit, config.MaxReceiveMessageBytes),
            Clock.Now(), config.MinimumClientVersion);
    }

    /// <summary>Binds this connection to the device and records the sign-in (lastSeenAt); returns the updated record.</summary>
    private async Task<DeviceRecord> BindTo(string deviceId)
    {
        var state = State;
        if (state.DeviceId is { } bound && bound != deviceId)
            throw HubErrors.Conflict($"this connection is already bound to device {bound}");
        var device = store.TouchDevice(deviceId, Clock.Now());
        if (registry.Bind(state, deviceId)) await PushPresence(state.UserId);
        return device;
    }

    /// <summary>
    /// A device not signed in on for deviceExpiryDays is an abandoned workstation profile: binding it revokes it
    /// (announced like RevokeDevice) and is refused with device_revoked.
    /// </summary>
    private async Task RefuseIfExpired(DeviceRecord device)
    {
        if (!store.IsExpired(device, config.DeviceExpiryDays, DateTimeOffset.UtcNow)) return;
        var (revoked, changed) = store.RevokeDevice(device.DeviceId, device.UserId, Clock.Now());
        if (changed) await AnnounceRevoked(revoked);
        throw HubErrors.Make("device_revoked", $"device {device.DeviceId} has not been used for {config.DeviceExpiryDays} days and is now revoked");
    }

    /// <summary>A fresh nonce for this connection's next RegisterDevice (single use, short-lived).</summary>
    public object GetRegistrationChallenge(JsonElement arg)
    {
        _ = new Args(arg);
        var challenge = State.NewChallenge();
        return new { nonce = Convert.ToBase64String(challenge.Nonce), expiresAt = challenge.ExpiresAtText };
    }

    public async Task<object> RegisterDevice(JsonElement arg)
    {
        var a = new Args(arg);
        var record = new DeviceRecord(a.Id("deviceId"), UserId, a.Base64("signingPublicKey", 1024), a.Base64("encryptionPublicKey", 1024),
            a.Base64("selfSignature", 1024), Args.ValidateTimestamp("createdAt", a.String("createdAt", 64)), Clock.Now(), false, null, null)
        { DeviceName = DeviceNames.Check("deviceName", a.OptString("deviceName", 64)) };
        var nonce = a.Base64("nonce", 64);
        var proof = a.Base64("proof", 128);
        if (State.DeviceId is { } bound && bound != record.DeviceId)
            throw HubErrors.Conflict($"this connection is already bound to device {bound}");
        // Proof of possession: only a caller holding the entry's signing key can store (or bind) it.
        RegistrationProof.Check(State, record.DeviceId, record.SigningPublicKey, nonce, proof);
        var (stored, created) = store.RegisterDevice(record);
        // Re-registering is another way to bind, so an expired device cannot come back through it.
        if (!created) await RefuseIfExpired(stored);
        var device = await BindTo(stored.DeviceId);
        if (created) await PushDirectoryChanged(device.UserId, device.DeviceId, "registered");
        return new { device, created };
    }

    public object ListDevices(JsonElement arg)
    {
        var userIds = new Args(arg).IdArray("userIds", 500);
        return new { devices = store.ListDevices(userIds) };
    }

    public async Task<object> RevokeDevice(JsonElement arg)
    {
        var deviceId = new Args(arg).Id("deviceId");
        var (device, changed) = store.RevokeDevice(deviceId, UserId, Clock.Now());
        if (changed) await AnnounceRevoked(device);
        return new { device };
    }

    private async Task AnnounceRevoked(DeviceRecord device)
    {
        var (connections, wentOffline) = registry.Revoke(device.UserId, device.DeviceId);
        await Clients.Clients(connections).SendAsync("DeviceRevoked", new DeviceRevokedEvent(device.DeviceId, device.UserId, device.RevokedAt!));
        await PushDirectoryChanged(device.UserId, device.DeviceId, "revoked");
        if (wentOffline) await PushPresence(device.UserId);
    }

    // ---- user keys, conversation keys, key releases (protocol version 2) -----------------------

    public async Task<object> PublishUserKey(JsonElement arg)
    {
        var a = new Args(arg);
        var userKey = new UserKeyRecord(UserId, a.Long("epoch", 1, int.MaxValue), a.Base64("publicKey", 1024),
            Args.ValidateTimestamp("createdAt", a.String("createdAt", 64)), a.Id("signerDeviceId"), a.Base64("signature", 1024), Clock.Now());
        if (userKey.SignerDeviceId != DeviceId) throw HubErrors.Forbidden("signerDeviceId is not the device this connection is bound to");
        var (stored, created) = store.PublishUserKey(userKey);
        if (created)
            await Clients.Clients(registry.ConnectionsOf(store.UsersSharingWith(UserId).Append(UserId)))
                .SendAsync("UserKeyChanged", new UserKeyChangedEvent(UserId, stored.Epoch, stored.PublishedAt));
        return new { userKey = stored, created };
    }

    public object GetUserKeys(JsonElement arg)
    {
        var a = new Args(arg);
        var userIds = a.IdArray("userIds", 500);
        return new { userKeys = store.GetUserKeys(userIds, a.OptBool("all") ?? false) };
    }

    public object PublishConversationKey(JsonElement arg)
    {
        var a = new Args(arg);
        var conversationId = a.Id("conversationId");
        var keyId = a.KeyId("keyId");
        var senderDeviceId = a.Id("senderDeviceId");
        var createdAt = Args.ValidateTimestamp("createdAt", a.String("createdAt", 64));
        var recipients = new List<KeyRecipient>();
        foreach (var item in a.Array("recipients", 1024))
        {
            var r = new Args(item);
            var recipient = new KeyRecipient(r.Id("userId"), r.Long("epoch", 1, int.MaxValue), r.Base64("sealedKey", 1024));
            // One sealed copy per user: the coverage rule reads the recipients as a map from user to epoch.
            if (recipients.Any(x => x.UserId == recipient.UserId)) throw HubErrors.Invalid($"'recipients' names {recipient.UserId} twice");
            recipients.Add(recipient);
        }
        if (recipients.Count == 0) throw HubErrors.Invalid("'recipients' must hold at least one recipient");
        var compliance = a.OptObject("compliance") is { } c ? new KeyCompliance(c.String("keyFingerprint", 128), c.Base64("sealedKey", 1024)) : null;
        var signature = a.Base64("signature", 1024);
        if (senderDeviceId != DeviceId) throw HubErrors.Forbidden("senderDeviceId is not the device this connection is bound to");
        store.RequireMember(conversationId, UserId);
        var (conversationKey, created) = store.PublishConversationKey(new ConversationKeyRecord(conversationId, keyId, UserId,
            senderDeviceId, createdAt, recipients, compliance, signature, Clock.Now()));
        return new { conversationKey, created };
    }

    public object GetConversationKeys(JsonElement arg)
    {
        var a = new Args(arg);
        var conversationId = a.Id("conversationId");
        var keyIds = a.OptKeyIdArray("keyIds", 500);
        store.RequireMember(conversationId, UserId);
        return new { conversationKeys = store.GetConversationKeys(conversationId, keyIds) };
    }

    public async Task<object> PostKeyRelease(JsonElement arg)
    {
        var a = new Args(arg);
        var release = new KeyReleaseRecord(a.Uuid("releaseId"), UserId, a.Id("toDeviceId"), a.Id("fromDeviceId"),
            Args.ValidateTimestamp("createdAt", a.String("createdAt", 64)), a.Base64("sealed", 65536), a.Base64("signature", 1024), Clock.Now());
        if (release.FromDeviceId != DeviceId) throw HubErrors.Forbidden("fromDeviceId is not the device this connection is bound to");
        // Releases go only to the user's own devices; another user's device is as unknown as a missing one.
        var to = store.GetDevice(release.ToDeviceId);
        if (to is null || to.UserId != UserId) throw HubErrors.NotFound($"device {release.ToDeviceId} is not one of your devices");
        if (to.Revoked) throw HubErrors.DeviceRevoked(to.DeviceId);
        var (stored, created) = store.PostKeyRelease(release);
        if (created)
            await Clients.Clients(registry.ConnectionsOfDevice(stored.ToDeviceId))
                .SendAsync("KeyReleased", new KeyReleasedEvent(stored.ReleaseId, stored.ToDeviceId, stored.FromDeviceId, stored.PostedAt));
        return new { release = stored, created };
    }

    public object GetKeyReleases(JsonElement arg)
    {
        _ = new Args(arg);
        return new { releases = store.GetKeyReleases(DeviceId) };
    }

    public object DeleteKeyRelease(JsonElement arg)
    {
        var releaseId = new Args(arg).Uuid("releaseId");
        return new { deleted = store.DeleteKeyRelease(releaseId, DeviceId) };
    }

    // ---- people ---------------------------------------------------------------------------------

    public object SearchUsers(JsonElement arg)
    {
        var a = new Args(arg);
        var query = a.OptString("query", 200) ?? "";
        var limit = (int)(a.OptLong("limit", 1, 200) ?? 50);
        return new { users = directory.Search(query, limit) };
    }

    public object GetUsers(JsonElement arg)
    {
        var ids = new Args(arg).IdArray("userIds", 500);
        return new { users = ids.Select(directory.Get).OfType<UserRecord>().ToList() };
    }

    public object GetPresence(JsonElement arg)
    {
        var ids = new Args(arg).IdArray("userIds", 500);
        return new { presence = ids.Select(registry.Presence).ToList() };
    }

    // ---- conversations ---------------------------------------------------------------------------

    public async Task<object> CreateConversation(JsonElement arg)
    {
        var a = new Args(arg);
        var id = a.OptUuid("conversationId") ?? Guid.NewGuid().ToString();
        var kind = a.OneOf("kind", "direct", "group");
        var others = a.IdArray("memberIds", 256).Where(m => m != UserId).ToList();
        foreach (var m in others)
            if (directory.Get(m) is null) throw HubErrors.NotFound($"user {m} is not in the directory");
        if (kind == "direct" && others.Count != 1) throw HubErrors.Invalid("a direct conversation has exactly one other member");
        var members = others.Prepend(UserId).ToList();
        var (conversation, changes, created) = store.CreateConversation(id, kind, UserId, members, Clock.Now());
        if (created)
            await Clients.Clients(registry.ConnectionsOf(conversation.Members))
                .SendAsync("MembershipChanged", new MembershipChangedEvent(conversation, changes));
        return new { conversation, created };
    }

    public object ListConversations(JsonElement arg)
    {
        _ = new Args(arg);
        return new { conversations = store.ListConversations(UserId) };
    }

    public Task<object> AddMember(JsonElement arg) => ChangeMember(arg, "added");

    public Task<object> RemoveMember(JsonElement arg) => ChangeMember(arg, "removed");

    private async Task<object> ChangeMember(JsonElement arg, string kind)
    {
        var a = new Args(arg);
        var conversationId = a.Id("conversationId");
        var userId = a.Id("userId");
        if (kind == "added" && directory.Get(userId) is null) throw HubErrors.NotFound($"user {userId} is not in the directory");
        var (conversation, change) = store.ChangeMember(conversationId, kind, userId, UserId, Clock.Now());
        await Clients.Clients(registry.ConnectionsOf(conversation.Members.Append(userId)))
            .SendAsync("MembershipChanged", new MembershipChangedEvent(conversation, [change]));
        return new { conversation, change };
    }

    public object GetMembershipHistory(JsonElement arg)
    {
        var conversationId = new Args(arg).Id("conversationId");
        store.RequireMember(conversationId, UserId);
        return new { changes = store.MembershipHistory(conversationId) };
    }

    // ---- envelopes, receipts, typing -----------------------------------------------------------

    public async Task<SendResult> Send(JsonElement arg)
    {
        var a = new Args(arg);
        var envelopeId = a.Uuid("envelopeId");
        var conversationId = a.Id("conversationId");
        var senderDeviceId = a.Id("senderDeviceId");
        var payload = a.Base64("payload", config.MaxEnvelopeBytes);
        var keyId = a.OptKeyId("keyId");
        if (senderDeviceId != DeviceId) throw HubErrors.Forbidden("senderDeviceId is not the device this connection is bound to");
        var conversation = store.RequireMember(conversationId, UserId);
        var (envelope, duplicate) = store.AppendEnvelope(conversationId, envelopeId, UserId, senderDeviceId, payload, keyId, Clock.Now());
        if (!duplicate)
            await Clients.Clients(registry.ConnectionsOf(conversation.Members, except: Context.ConnectionId)).SendAsync("Envelope", envelope);
        return new SendResult(envelope.ConversationId, envelope.EnvelopeId, envelope.Seq, envelope.ServerTime, duplicate);
    }

    public object Sync(JsonElement arg)
    {
        var a = new Args(arg);
        var limit = (int)(a.OptLong("limit", 1, HubConfig.MaxSyncLimit) ?? HubConfig.DefaultSyncLimit);
        var mine = store.ListConversations(UserId).Select(c => c.ConversationId).ToList();
        var cursors = new Dictionary<string, long>();
        foreach (var item in a.Array("cursors", 10_000, required: false))
        {
            var c = new Args(item);
            var id = c.Id("conversationId");
            if (!mine.Contains(id)) throw HubErrors.Forbidden($"you are not a member of conversation {id}");
            cursors[id] = c.Long("afterSeq", 0, long.MaxValue);
        }
        var (envelopes, more) = store.Sync(mine, cursors, limit);
        return new { envelopes, more };
    }

    public async Task<ReceiptRecord> SendReceipt(JsonElement arg)
    {
        var a = new Args(arg);
        var conversationId = a.Id("conversationId");
        var seq = a.Long("seq", 1, long.MaxValue);
        var kind = a.OneOf("kind", ReceiptKinds);
        var conversation = store.RequireMember(conversationId, UserId);
        var (receipt, created) = store.AddReceipt(new ReceiptRecord(conversationId, seq, UserId, DeviceId, kind, Clock.Now()));
        if (created)
            await Clients.Clients(registry.ConnectionsOf(conversation.Members, except: Context.ConnectionId)).SendAsync("Receipt", receipt);
        return receipt;
    }

    public object GetReceipts(JsonElement arg)
    {
        var a = new Args(arg);
        var conversationId = a.Id("conversationId");
        var afterSeq = a.OptLong("afterSeq", 0, long.MaxValue) ?? 0;
        var limit = (int)(a.OptLong("limit", 1, HubConfig.MaxSyncLimit) ?? HubConfig.DefaultSyncLimit);
        store.RequireMember(conversationId, UserId);
        return new { receipts = store.GetReceipts(conversationId, afterSeq, limit) };
    }

    public async Task Typing(JsonElement arg)
    {
        var a = new Args(arg);
        var conversationId = a.Id("conversationId");
        var typing = a.Bool("typing");
        var conversation = store.RequireMember(conversationId, UserId);
        var others = conversation.Members.Where(m => m != UserId);
        await Clients.Clients(registry.ConnectionsOf(others)).SendAsync("Typing", new TypingEvent(conversationId, UserId, DeviceId, typing, Clock.Now()));
    }

    // ---- pushes ----------------------------------------------------------------------------------

    private Task PushPresence(string userId) =>
        Clients.Clients(registry.ConnectionsOf(store.UsersSharingWith(userId))).SendAsync("Presence", registry.Presence(userId));

    private Task PushDirectoryChanged(string userId, string deviceId, string change) =>
        Clients.Clients(registry.ConnectionsOf(store.UsersSharingWith(userId).Append(userId)))
            .SendAsync("DirectoryChanged", new DirectoryChangedEvent(userId, deviceId, change, Clock.Now()));
}
