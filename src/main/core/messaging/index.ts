export { createMessagingEngine, type MessagingEngine, type MessagingDeps, type SendInput } from './engine';
export { buildVerificationReport, verifyReport, VerificationReport, type ReportVerification } from './report';
export { toConversationView, toMessageView } from './views';
