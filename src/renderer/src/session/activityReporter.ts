/**
 * Sends at most once per `intervalMs`. A call inside an interval is not dropped: it is sent when the interval
 * ends, so the receiver's last report is never older than the caller's last call by more than `intervalMs`.
 */
export function activityReporter(
  intervalMs: number,
  send: () => void,
): { report: () => void; cancel: () => void } {
  let last = -Infinity;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  const fire = (): void => {
    trailing = undefined;
    last = Date.now();
    send();
  };
  return {
    report: () => {
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) fire();
      else trailing ??= setTimeout(fire, wait);
    },
    cancel: () => clearTimeout(trailing),
  };
}
