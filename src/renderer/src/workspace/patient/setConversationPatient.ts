import type { Patient } from './composer-rules';

/** Makes the conversation a patient conversation (or ends it); the error message to show, or null. */
export async function setConversationPatient(
  conversationId: string,
  patient: Patient | null,
): Promise<string | null> {
  const result = await window.clinical.call('conversations.setPatient', { conversationId, patient });
  return result.ok ? null : result.error.message;
}
