import * as Tooltip from '@radix-ui/react-tooltip';
import './tip.css';

/**
 * An icon-only control's words, shown while the pointer rests on it or the keyboard is on it (Radix: Esc hides
 * it). The control keeps its own accessible name; this only shows it.
 */
export function Tip(props: { label: string; children: React.ReactElement }): React.JSX.Element {
  return (
    <Tooltip.Provider delayDuration={300}>
      <Tooltip.Root>
        <Tooltip.Trigger asChild>{props.children}</Tooltip.Trigger>
        {/* In place, not in a portal: it stays inside the landmark of its control. */}
        <Tooltip.Content className="tip" sideOffset={4}>
          {props.label}
        </Tooltip.Content>
      </Tooltip.Root>
    </Tooltip.Provider>
  );
}
