import { StrictMode } from 'react';
import './i18n';
import { createRoot } from 'react-dom/client';
import { App } from './App';
// Devanagari bundled, so Hindi renders on workstations without a Devanagari system font (CSP: font-src 'self').
import '@fontsource/noto-sans-devanagari/devanagari-400.css';
import '@fontsource/noto-sans-devanagari/devanagari-600.css';
import './styles/tokens.css';
import './styles/app.css';
import './styles/viewer.css';

const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
