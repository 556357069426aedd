import { useMemo, useState } from 'react';

/** A group conversation whose members an announcement can go to. */
export interface Group {
  conversationId: string;
  title: string;
  members: { userId: string; displayName: string }[];
}

export interface Recipients {
  roles: { roleId: string; name: string }[];
  people: { userId: string; displayName: string }[];
  roleIds: string[];
  userIds: string[];
  /** Grows when the preview should be asked again with the same recipients (after a refused send). */
  round: number;
  addRole(role: { roleId: string; name: string }): void;
  addPerson(userId: string, displayName: string): void;
  addGroup(group: Group): void;
  removeRole(roleId: string): void;
  removePerson(userId: string): void;
  /** The one click offered for a role nobody can take: the role is replaced by its backup. */
  takeBackup(roleId: string, backup: { userId: string; displayName: string }): void;
  nameOfRole(roleId: string): string;
  askAgain(): void;
}

/**
 * The roles and colleagues an announcement is being written to (never the sender herself); `onChange` runs on
 * every change the sender makes (a refusal about the old list no longer applies).
 */
export function useRecipients(selfId: string | null, onChange: () => void): Recipients {
  const [roles, changeRoles] = useState<{ roleId: string; name: string }[]>([]);
  const [people, changePeople] = useState<{ userId: string; displayName: string }[]>([]);
  const setRoles: typeof changeRoles = (next) => {
    onChange();
    changeRoles(next);
  };
  const setPeople: typeof changePeople = (next) => {
    onChange();
    changePeople(next);
  };
  const [round, setRound] = useState(0);
  const roleIds = useMemo(() => roles.map((r) => r.roleId), [roles]);
  const userIds = useMemo(() => people.map((p) => p.userId), [people]);

  const addPeople = (added: { userId: string; displayName: string }[]) =>
    setPeople((now) => {
      const next = [...now];
      for (const p of added)
        if (p.userId !== selfId && !next.some((n) => n.userId === p.userId)) next.push(p);
      return next;
    });
  const removeRole = (roleId: string) => setRoles((now) => now.filter((r) => r.roleId !== roleId));

  return {
    roles,
    people,
    roleIds,
    userIds,
    round,
    addRole: (role) =>
      setRoles((now) =>
        now.some((r) => r.roleId === role.roleId) ? now : [...now, { roleId: role.roleId, name: role.name }],
      ),
    addPerson: (userId, displayName) => addPeople([{ userId, displayName }]),
    addGroup: (group) => addPeople(group.members),
    removeRole,
    removePerson: (userId) => setPeople((now) => now.filter((p) => p.userId !== userId)),
    takeBackup: (roleId, backup) => {
      removeRole(roleId);
      addPeople([backup]);
    },
    nameOfRole: (roleId) => roles.find((r) => r.roleId === roleId)?.name ?? roleId,
    askAgain: () => setRound((n) => n + 1),
  };
}
