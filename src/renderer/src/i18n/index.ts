// The renderer's one translation library: i18next with every catalogue bundled (the CSP forbids fetching them).
// The language follows the computer's (Hindi when it is set to Hindi, English otherwise) until the signed-in
// user picks one in Settings.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { UiLanguage } from '../../../shared/contract';
import en from './en.json';
import hi from './hi.json';

export type Language = 'en' | 'hi';

/** 'hi' for any Hindi locale ("hi", "hi-IN"), 'en' for everything else. */
export function languageFor(locale: string | undefined): Language {
  return locale?.toLowerCase().startsWith('hi') ? 'hi' : 'en';
}

// Screen readers pick their voice by the page's language.
i18n.on('languageChanged', (lng) => {
  if (globalThis.document) document.documentElement.lang = lng;
});

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, hi: { translation: hi } },
  lng: languageFor(globalThis.navigator?.language),
  fallbackLng: 'en',
  supportedLngs: ['en', 'hi'],
  // Bundled catalogues: ready before the first render, no Suspense.
  initAsync: false,
  // React escapes what it renders.
  interpolation: { escapeValue: false },
});

/** Speaks the language a user chose ('system': the computer's); the whole renderer follows at once. */
export function applyLanguage(choice: UiLanguage): void {
  const next = choice === 'system' ? languageFor(globalThis.navigator?.language) : choice;
  if (i18n.language !== next) void i18n.changeLanguage(next);
}

/**
 * The locale for dates and numbers: the computer's own (its region's day-month order, "en-GB" or "en-IN") when
 * it speaks the language shown, else the language itself.
 */
export function locale(): string {
  const own = globalThis.navigator?.language;
  return own && languageFor(own) === i18n.language ? own : i18n.language;
}

/** A count or size in the locale's digits and grouping ("1,20,000" in India). */
export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale(), options).format(n);
}

export { i18n };
export const t = i18n.t.bind(i18n);
