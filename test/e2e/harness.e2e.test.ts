/**
 * The harness itself: it must see what it is meant to catch, or the journeys would pass
 * without checking anything.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkA11y, type E2E, heading, JOURNEY_TIMEOUT_MS, journey, startE2E } from './support';

let e2e: E2E;
before(async () => {
  e2e = await startE2E();
});
after(async () => {
  await e2e?.close();
});

describe('harness', () => {
  test('axe reports a violation with its rule, impact, target and help', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await journey(e2e, 'harness-axe', async (page) => {
      await page.goto('/connexion');
      await heading(page, 'Connexion');
      await checkA11y(page, 'sign-in page');
      await page.evaluate(() => {
        const img = document.createElement('img');
        img.id = 'no-alt';
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        document.querySelector('main')!.append(img);
      });
      await assert.rejects(checkA11y(page, 'broken page'), (error: Error) => {
        assert.match(error.message, /axe found 1 accessibility violation\(s\) on "broken page"/);
        assert.match(error.message, /- image-alt \(critical\): Images must have alternative text/);
        assert.match(error.message, /at #no-alt/);
        return true;
      });
    });
  });

  test('a CSP violation fails the journey', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await assert.rejects(
      journey(e2e, 'harness-csp', async (page) => {
        await page.goto('/connexion');
        await heading(page, 'Connexion');
        const reported = page.waitForEvent('console', (message) => /content security policy/i.test(message.text()));
        await page.evaluate(() => {
          const script = document.createElement('script');
          script.textContent = 'window.injected = true';
          document.body.append(script);
        });
        await reported;
        assert.equal(await page.evaluate(() => 'injected' in window), false, 'the CSP blocked the inline script');
      }),
      /CSP violation on http:\/\/localhost:\d+\/connexion/,
    );
  });

  test('an uncaught error in the page fails the journey', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await assert.rejects(
      journey(e2e, 'harness-pageerror', async (page) => {
        await page.goto('/connexion');
        await heading(page, 'Connexion');
        const thrown = page.waitForEvent('pageerror');
        await page.evaluate(() => setTimeout(() => {
          throw new Error('boom from the harness test');
        }));
        await thrown;
      }),
      /uncaught error on .*boom from the harness test/s,
    );
  });
});
