import type { NativeConfirmation } from '../domain/native-login';
import { escapeHtml, formPage } from '../shared/html-page';
import type { HttpResult } from '../shared/http';
import { ADDIN_PAGE_STYLE } from './addins-style';

/** One click only: a second submit would spend the continuation the first one already used. */
const SCRIPT = `(function () {
  var form = document.getElementById('continue-form');
  form.addEventListener('submit', function (event) {
    if (form.dataset.sent) return event.preventDefault();
    form.dataset.sent = 'true';
    document.getElementById('confirm').disabled = true;
    document.getElementById('message').textContent = 'Opening the app. You can close this page.';
  });
})();`;

/**
 * The page a native login's callback answers (RFC 8252 §8.6): which scheme asks to sign in whom, and a Continue
 * button that posts the continuation. Everything it names comes from the IdP or the login's `returnTo`, escaped.
 * Its CSP lets the form post to guichet only, and the answer redirect to the app's scheme only.
 */
export function nativeConfirmationPage(confirmation: NativeConfirmation, action: string): HttpResult {
  const { scheme, user, continuation } = confirmation;
  const who = escapeHtml(user.name ?? user.sub) + (user.email ? ` (${escapeHtml(user.email)})` : '');
  const app = `<strong>${escapeHtml(scheme)}:</strong>`;
  return formPage(
    {
      title: 'Continue to the app?',
      style: ADDIN_PAGE_STYLE,
      script: SCRIPT,
      body: `<main>
<h1>Continue to the app?</h1>
<p>You are signed in as <strong id="user">${who}</strong>.</p>
<p>An app that opens ${app} links asks to use this sign-in. Continue only if you started signing in to that app
just now. If you did not, close this page: the app gets nothing.</p>
<form id="continue-form" method="post" action="${escapeHtml(action)}">
<input type="hidden" name="continuation" value="${escapeHtml(continuation)}">
<button id="confirm" type="submit">Continue to ${escapeHtml(scheme)}:</button>
</form>
<p id="message"></p>
</main>`,
    },
    [`${scheme}:`],
  );
}
