import type { PageContent } from '../shared/html-page';
import { ADDONS_PAGE_STYLE } from './addons-style';

/**
 * The page the web login returns the dialog to. It never completes on its own: it shows who is signing
 * in and for which add-in, and redeems the transit token only after the person confirms, so a link sent
 * to a victim cannot use their silent single sign-on to log an attacker's add-in in.
 */
export const ADDONS_CALLBACK_PAGE: PageContent = {
  title: 'Confirm sign-in',
  style: ADDONS_PAGE_STYLE,
  body: `<main>
<h1 id="title">Confirm sign-in</h1>
<p id="message">Checking who you are…</p>
<button id="confirm" type="button" hidden>Sign in</button>
<button id="cancel" type="button" hidden>Cancel</button>
</main>`,
  script: `(function () {
  var token = sessionStorage.getItem('guichet.transit_token');
  var addinName = sessionStorage.getItem('guichet.addin_name') || 'an Office add-in';
  var message = document.getElementById('message');
  var confirm = document.getElementById('confirm');
  var cancel = document.getElementById('cancel');
  var tellParent = function (status) {
    if (window.Office && Office.context && Office.context.ui) Office.context.ui.messageParent(JSON.stringify({ status: status }));
  };
  var finish = function (text, status) {
    sessionStorage.removeItem('guichet.transit_token');
    sessionStorage.removeItem('guichet.addin_name');
    confirm.hidden = true;
    cancel.hidden = true;
    message.textContent = text;
    tellParent(status);
  };
  if (!token) {
    finish('This sign-in has expired or was already used. Start again from the add-in.', 'failed');
    return;
  }
  fetch('/auth/session', { credentials: 'same-origin' })
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
    .then(function (session) {
      var who = session.user.email || session.user.name || session.user.sub;
      message.textContent = 'Sign in to ' + addinName + ' as ' + who + '? Only confirm if you started this from the add-in.';
      confirm.hidden = false;
      cancel.hidden = false;
    })
    .catch(function () { finish('You are not signed in. Start again from the add-in.', 'failed'); });
  confirm.addEventListener('click', function () {
    confirm.disabled = true;
    fetch('/addons/sessions/exchange', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ transit_token: token }),
    }).then(function (response) {
      if (response.ok) finish('You are signed in. You can close this window.', 'ok');
      else finish('This sign-in could not be completed. Start again from the add-in.', 'failed');
    }, function () { finish('guichet could not be reached. Try again.', 'failed'); });
  });
  cancel.addEventListener('click', function () { finish('Sign-in cancelled.', 'cancelled'); });
})();`,
};
