/** A warning triangle in the text colour (so forced colours repaint it), beside the word "Urgent", never alone. */
export function UrgentIcon(): React.JSX.Element {
  return (
    <svg
      className="urgent-icon"
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      focusable="false"
    >
      <path fill="currentColor" d="M8 1 15.5 14.5H.5Zm-.9 5v4.2h1.8V6Zm0 5.4v1.8h1.8v-1.8Z" />
    </svg>
  );
}
