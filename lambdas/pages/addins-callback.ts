import type { PageContent } from '../shared/html-page';
import { ADDIN_PAGE_STYLE } from './addins-style';

/**
 * The page the web login returns the dialog to. It never completes on its own: it shows who is signing in and
 * for which add-in (the name `init` stored, as guichet returns it, shown as text), and redeems the transit token
 * only after the person confirms. The exchange answers a one-time completion code, which this page hands only to
 * the add-in's own window: through Office's `messageParent` with the add-in's origin as target (DialogOrigin 1.1)
 * inside an Office dialog, else to `window.opener` with `postMessage` and that origin as target, so a browser drops
 * it for an opener of any other origin. It never shows the code, puts it in a URL or stores it. Without an Office
 * parent or an opener there is nobody to hand it to (a link opened directly, as a phishing message would send it):
 * the page asks for no confirmation and sends the person back to the add-in. Cancel spends the transit token, so
 * the add-in stops polling at once.
 */
export const ADDIN_CALLBACK_PAGE: PageContent = {
  title: 'Confirm sign-in',
  style: ADDIN_PAGE_STYLE,
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
  var EXPIRED = 'This sign-in has expired or was already used. Start again from the add-in.';
  var finish = function (text) {
    sessionStorage.removeItem('guichet.transit_token');
    confirm.hidden = true;
    cancel.hidden = true;
    message.textContent = text;
  };
  var answerOf = function (response) { return response.ok ? response.json() : Promise.reject(response.status); };
  var post = function (path) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ transit_token: token }),
    }).then(answerOf);
  };
  // Where the completion code may go: the Office dialog's parent, else the window that opened this one.
  var channel = function (office) {
    var ui = office && office.host && window.Office.context && window.Office.context.ui;
    if (ui && typeof ui.messageParent === 'function') {
      return window.Office.context.requirements.isSetSupported('DialogOrigin', '1.1') ? 'office' : 'old-office';
    }
    return window.opener ? 'opener' : 'none';
  };
  var deliver = function (via, answer) {
    var completed = { type: 'guichet:addin-login', completion: answer.completion };
    if (via === 'office') window.Office.context.ui.messageParent(JSON.stringify(completed), { targetOrigin: answer.addin_origin });
    else window.opener.postMessage(completed, answer.addin_origin);
  };
  if (!token) {
    finish(EXPIRED);
    return;
  }
  var officeReady = new Promise(function (resolve) {
    if (window.Office && window.Office.onReady) window.Office.onReady(resolve);
    else resolve(null);
  });
  Promise.all([fetch('/auth/session', { credentials: 'same-origin' }).then(answerOf), post('/addons/sessions/describe'), officeReady])
    .then(function (answers) {
      var via = channel(answers[2]);
      if (via === 'none') {
        finish('To finish signing in, go back to the add-in and start from there. If you did not start this sign-in, close this page.');
        return;
      }
      if (via === 'old-office') {
        finish('This version of Office cannot finish this sign-in safely. Update Office, then start again from the add-in.');
        return;
      }
      var user = answers[0].user;
      var who = user.email || user.name || user.sub;
      var addin = answers[1].addin_name || 'an Office add-in';
      message.textContent = 'Sign in to ' + addin + ' as ' + who + '? Only confirm if you started this from the add-in.';
      confirm.hidden = false;
      cancel.hidden = false;
      confirm.addEventListener('click', function () {
        confirm.disabled = true;
        cancel.disabled = true;
        post('/addons/sessions/exchange').then(
          function (answer) {
            deliver(via, answer);
            finish('Signed in. Return to the add-in; you can close this window.');
          },
          function (status) {
            finish(status ? 'This sign-in could not be completed. Start again from the add-in.' : 'guichet could not be reached.');
          },
        );
      });
    })
    .catch(function (status) {
      finish(status === 401 ? 'You are not signed in. Start again from the add-in.' : EXPIRED);
    });
  cancel.addEventListener('click', function () {
    confirm.disabled = true;
    cancel.disabled = true;
    // The add-in learns of it at its next poll instead of waiting for the sign-in to expire.
    post('/addons/sessions/cancel').then(
      function () { finish('Sign-in cancelled. You can close this window.'); },
      function () { finish('Sign-in cancelled.'); },
    );
  });
})();`,
};
