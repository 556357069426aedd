import type { IpcError } from '../../../shared/contract';

type Notice = { code: string; message: string } | null;

/** A notice from the session state and a failed call's error, each once (a wrong PIN is often both). */
export function SessionAlerts({
  notice,
  error,
}: {
  notice: Notice;
  error: IpcError | null;
}): React.JSX.Element {
  const same = notice && error && notice.code === error.code && notice.message === error.message;
  return (
    <>
      {notice && !same ? (
        <p role="alert" className="alert alert--warning" data-notice={notice.code}>
          {notice.message}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="alert alert--error" data-error={error.code}>
          {error.message}
        </p>
      ) : null}
    </>
  );
}
