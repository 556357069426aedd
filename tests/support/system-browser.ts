import type { Browser } from 'playwright-core';
import { signInOnPage } from '../stack/idp/test-helpers';

export type LoginAction = { username: string; password: string } | 'cancel';

/**
 * Stands where the system browser stands in the app: MSAL hands it the IdP's URL, and a person signs in on
 * the real login page. Each sign-in uses a fresh browser profile, as on a shared workstation.
 */
export function systemBrowser(browser: Browser): {
  openBrowser: (url: string) => Promise<void>;
  /** What the person at the keyboard will do at the next sign-in page. */
  next(action: LoginAction): void;
  readonly opened: number;
} {
  const queue: LoginAction[] = [];
  let opened = 0;
  return {
    async openBrowser(url) {
      opened++;
      const action = queue.shift();
      if (!action) throw new Error('A sign-in page opened, but the test expected none');
      const context = await browser.newContext({ ignoreHTTPSErrors: false });
      const page = await context.newPage();
      await page.goto(url);
      if (action === 'cancel') {
        await page.getByRole('button', { name: 'Cancel' }).click();
      } else {
        await signInOnPage(page, action.username, action.password);
      }
      // The loopback redirect has reached MSAL once the app's own page is shown.
      await page.waitForURL(/^http:\/\/(127\.0\.0\.1|localhost)/);
      void context.close();
    },
    next(action) {
      queue.push(action);
    },
    get opened() {
      return opened;
    },
  };
}
