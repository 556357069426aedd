/** Says the app is the developer preview (the preview's bridge sets the flag; the Electron preload never does). */
export function PreviewBanner(): React.JSX.Element | null {
  if (!window.clinicalPreview) return null;
  return (
    <aside className="preview-banner" aria-label="Preview notice">
      Preview: running in Chromium without Electron; not for patient data
    </aside>
  );
}
