export {
  revocationDomain,
  revocationBytes,
  signRevocation,
  verifyRevocation,
  generateAdminKeyPair,
  SignedRevocationSchema,
  type RevocationFields,
  type SignedRevocation,
  type RevocationRefusal,
  type RevocationVerdict,
} from './signed-revocation';
export { onOwnDeviceRevoked, fetchRevocation, type OwnDeviceRevoked } from './notices';
