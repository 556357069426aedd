/** An error the user must see, announced at once; nothing when there is none. */
export function ErrorAlert({ message }: { message: string | null | undefined }): React.JSX.Element | null {
  if (!message) return null;
  return (
    <p role="alert" className="alert alert--error">
      {message}
    </p>
  );
}
