using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace ClinicalHub;

/// <summary>
/// A registration challenge: 32 random bytes issued to one connection (so to one user), valid for
/// <see cref="Lifetime"/> and for one RegisterDevice call (docs/hub-protocol.md, RegisterDevice).
/// </summary>
public sealed record RegistrationChallenge(byte[] Nonce, DateTimeOffset ExpiresAt)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    public static RegistrationChallenge Create() =>
        new(RandomNumberGenerator.GetBytes(32), DateTimeOffset.UtcNow + Lifetime);

    public string ExpiresAtText =>
        ExpiresAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Proof of possession of a device's signing key at registration: an Ed25519 signature, by the key the entry
/// names, over lengthPrefixed('clinical-messenger/device-registration/v1', [userId, deviceId, nonce]) — each
/// part a 4-byte big-endian length and its bytes (strings UTF-8, the nonce raw). The hub checks only this; the
/// entry's self-signature (which also covers the device name) is checked by every client.
/// </summary>
public static class RegistrationProof
{
    public const string Domain = "clinical-messenger/device-registration/v1";

    public static byte[] Statement(string userId, string deviceId, byte[] nonce)
    {
        var parts = new[] { Encoding.UTF8.GetBytes(Domain), Encoding.UTF8.GetBytes(userId), Encoding.UTF8.GetBytes(deviceId), nonce };
        var bytes = new byte[parts.Sum(p => 4 + p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), (uint)part.Length);
            part.CopyTo(bytes, offset + 4);
            offset += 4 + part.Length;
        }
        return bytes;
    }

    /// <summary>
    /// Takes the connection's challenge (so it is used once) and checks the request against it: the same nonce
    /// (compared in constant time), not expired, and a valid signature by `signingPublicKey` over the statement.
    /// Throws `invalid_proof` otherwise; nothing is stored.
    /// </summary>
    public static void Check(ConnectionState state, string deviceId, string signingPublicKey, string nonce, string proof)
    {
        var challenge = state.TakeChallenge()
            ?? throw Refused("this connection has no registration challenge: call GetRegistrationChallenge first");
        var presented = Convert.FromBase64String(nonce);
        if (presented.Length != challenge.Nonce.Length || !CryptographicOperations.FixedTimeEquals(presented, challenge.Nonce))
            throw Refused("the nonce is not this connection's latest registration challenge");
        if (DateTimeOffset.UtcNow > challenge.ExpiresAt)
            throw Refused("the registration challenge has expired: ask for a new one");
        var key = Convert.FromBase64String(signingPublicKey);
        var signature = Convert.FromBase64String(proof);
        if (key.Length != Ed25519.PublicKeySize || signature.Length != Ed25519.SignatureSize)
            throw Refused("the signing key must be 32 bytes and the proof a 64-byte Ed25519 signature");
        var statement = Statement(state.UserId, deviceId, challenge.Nonce);
        bool valid;
        try
        {
            valid = Ed25519.Verify(signature, 0, key, 0, statement, 0, statement.Length);
        }
        catch (ArgumentException)
        {
            valid = false;
        }
        if (!valid) throw Refused("the proof is not a signature by this device's signing key over the challenge");
    }

    private static Microsoft.AspNetCore.SignalR.HubException Refused(string why) =>
        HubErrors.Make("invalid_proof", $"registration refused: {why}");
}

/// <summary>Device names ("WARD3B-PC02"): 1..64 letters, digits, spaces, '.', '_' and '-', starting with a letter or digit.</summary>
public static class DeviceNames
{
    public static string? Check(string field, string? name)
    {
        if (name is null) return null;
        if (!char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or '_' or '-'))
            throw HubErrors.Invalid($"'{field}' may contain only letters, digits, spaces and . _ - (starting with a letter or digit)");
        return name;
    }
}
