export {
  createNotifier,
  type Notifier,
  type NotifierOptions,
  type OsNotification,
  type ReceivedMessage,
} from './notifier';
