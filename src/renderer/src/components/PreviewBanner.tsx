import { useTranslation } from 'react-i18next';

/** Says the app is the developer preview (the preview's bridge sets the flag; the Electron preload never does). */
export function PreviewBanner(): React.JSX.Element | null {
  const { t } = useTranslation();
  if (!window.clinicalPreview) return null;
  return (
    <aside className="preview-banner" aria-label={t('preview.label')}>
      {t('preview.text')}
    </aside>
  );
}
