// Names alone, so the sandboxed preload can bundle them without the schema library.
export const callNames = [
  'app.info',
  'app.diagnostics',
  'updates.status',
  'connection.current',
  'session.current',
  'session.signIn',
  'session.signOut',
  'session.switchUser',
  'session.lock',
  'session.unlockWithPin',
  'session.unlockWithSignIn',
  'session.setPin',
  'session.setIdleTimeout',
  'session.activity',
  'session.reenrol',
  'session.startProfileOver',
  'keys.contactDevices',
  'keys.acceptKeyChange',
  'keys.acceptNewDevice',
  'keys.status',
  'conversations.deviceNotices',
  'directory.search',
  'directory.presence',
  'directory.roles',
  'roles.resolve',
  'roles.send',
  'directory.setAvailability',
  'directory.myAvailability',
  'settings.current',
  'settings.update',
  'conversations.list',
  'conversations.create',
  'conversations.addMember',
  'conversations.removeMember',
  'conversations.leave',
  'conversations.setPatient',
  'messages.page',
  'messages.send',
  'messages.search',
  'messages.byPatient',
  'messages.markRead',
  'messages.typing',
  'messages.acknowledge',
  'messages.exportReport',
  'escalations.options',
  'escalations.awaitingMine',
  'escalations.awaitingOthers',
  'escalations.timeline',
  'broadcasts.send',
  'broadcasts.preview',
  'broadcasts.status',
  'broadcasts.notYet',
  'integrity.alerts',
  'documents.attach',
  'documents.open',
  'documents.close',
  'documents.save',
  'documents.cancel',
  'documents.read',
  'documents.preview',
  'documents.exportEvidence',
  'drafts.get',
  'drafts.set',
] as const;
export const eventNames = [
  'updates.changed',
  'connection.state',
  'session.state',
  'messages.changed',
  'messages.typing',
  'conversations.open',
  'documents.progress',
  'keys.changed',
  'roles.changed',
  'escalations.changed',
  'directory.availability',
] as const;

export type CallName = (typeof callNames)[number];
export type EventName = (typeof eventNames)[number];

export const callChannel = (name: CallName): string => `cm:call:${name}`;
export const eventChannel = (name: EventName): string => `cm:event:${name}`;

export interface BridgeChannels {
  calls: Record<string, string>;
  events: Record<string, string>;
}

export const bridgeChannels: BridgeChannels = {
  calls: Object.fromEntries(callNames.map((n) => [n, callChannel(n)])),
  events: Object.fromEntries(eventNames.map((n) => [n, eventChannel(n)])),
};
