import { useAwaiting } from './useEscalations';

/** The sidebar's way to the awaiting views, with the count of messages awaiting my acknowledgement. */
export function AwaitingButton(props: { current: boolean; onClick: () => void }): React.JSX.Element {
  const { mine } = useAwaiting();
  return (
    <button
      type="button"
      className="button sidebar-awaiting"
      aria-current={props.current ? 'page' : undefined}
      onClick={props.onClick}
    >
      Awaiting acknowledgement{' '}
      <span
        className={mine.length > 0 ? 'badge badge--urgent' : 'badge'}
        aria-label={`${mine.length} awaiting you`}
      >
        {mine.length}
      </span>
    </button>
  );
}
