import { z } from 'zod';
import { PatientContext } from './schemas';

/** One message or document about a patient, in the patient view (from this computer's store only). */
export const PatientItemView = z.object({
  id: z.number().int().positive(),
  conversationId: z.string(),
  seq: z.number().int().positive().nullable(),
  envelopeId: z.string(),
  senderUserId: z.string(),
  at: z.string(),
  kind: z.enum(['text', 'document']),
  text: z.string(),
  urgent: z.boolean(),
  patient: PatientContext,
  fileName: z.string().nullable(),
});
export type PatientItemView = z.infer<typeof PatientItemView>;

export const PatientPageView = z.object({
  items: z.array(PatientItemView),
  /** The `beforeId` of the next, older page; null when there is none. */
  next: z.number().int().positive().nullable(),
});
export type PatientPageView = z.infer<typeof PatientPageView>;

export const ByPatientArgs = z.strictObject({
  mrn: z.string().min(1).max(64),
  beforeId: z.int().positive().optional(),
  limit: z.int().min(1).max(100),
});

export const SetPatientArgs = z.strictObject({
  conversationId: z.string().min(1).max(128),
  /** null: no longer a patient conversation. */
  patient: PatientContext.nullable(),
});
