import type { PageContent } from '../shared/html-page';
import { ADDONS_PAGE_STYLE } from './addons-style';

/**
 * The page the web login returns the dialog to. It never completes on its own: it shows who is signing in and
 * for which add-in (the name `init` stored, as guichet returns it, shown as text), and redeems the transit token
 * only after the person confirms, so a link sent to a victim cannot use their silent single sign-on to log an
 * attacker's add-in in. Cancel spends the transit token, so the add-in stops polling at once.
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
  var message = document.getElementById('message');
  var confirm = document.getElementById('confirm');
  var cancel = document.getElementById('cancel');
  var tellParent = function (status) {
    if (window.Office && Office.context && Office.context.ui) Office.context.ui.messageParent(JSON.stringify({ status: status }));
  };
  var finish = function (text, status) {
    sessionStorage.removeItem('guichet.transit_token');
    confirm.hidden = true;
    cancel.hidden = true;
    message.textContent = text;
    tellParent(status);
  };
  var post = function (path) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ transit_token: token }),
    }).then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); });
  };
  if (!token) {
    finish('This sign-in has expired or was already used. Start again from the add-in.', 'failed');
    return;
  }
  Promise.all([
    fetch('/auth/session', { credentials: 'same-origin' }).then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); }),
    post('/addons/sessions/describe'),
  ])
    .then(function (answers) {
      var user = answers[0].user;
      var who = user.email || user.name || user.sub;
      var addin = answers[1].addin_name || 'an Office add-in';
      message.textContent = 'Sign in to ' + addin + ' as ' + who + '? Only confirm if you started this from the add-in.';
      confirm.hidden = false;
      cancel.hidden = false;
    })
    .catch(function (status) {
      finish(status === 401 ? 'You are not signed in. Start again from the add-in.' : 'This sign-in has expired or was already used. Start again from the add-in.', 'failed');
    });
  confirm.addEventListener('click', function () {
    confirm.disabled = true;
    cancel.disabled = true;
    post('/addons/sessions/exchange').then(
      function () { finish('You are signed in. You can close this window.', 'ok'); },
      function (status) { finish(status ? 'This sign-in could not be completed. Start again from the add-in.' : 'guichet could not be reached. Try again.', 'failed'); },
    );
  });
  cancel.addEventListener('click', function () {
    confirm.disabled = true;
    cancel.disabled = true;
    // The add-in learns of it at its next poll instead of waiting for the sign-in to expire.
    post('/addons/sessions/cancel').then(
      function () { finish('Sign-in cancelled. You can close this window.', 'cancelled'); },
      function () { finish('Sign-in cancelled.', 'cancelled'); },
    );
  });
})();`,
};
