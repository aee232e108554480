import type { PageContent } from '../shared/html-page';
import { ADDIN_PAGE_STYLE } from './addins-style';

/**
 * The page the add-in opens in its login dialog. It takes the transit token from the URL fragment (never
 * sent to a server) or from the add-in's Office dialog message, keeps it in this tab's sessionStorage and
 * sends the person through the web login, which returns to /addons/callback. Nothing else of the link is used:
 * the name the confirmation shows comes from guichet, as `init` stored it.
 */
export const ADDIN_TRANSIT_PAGE: PageContent = {
  title: 'Signing in…',
  style: ADDIN_PAGE_STYLE,
  body: '<main><h1>Signing in…</h1><p id="message">Taking you to the sign-in page.</p></main>',
  script: `(function () {
  var proceed = function (token) {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token || '')) {
      document.getElementById('message').textContent = 'This sign-in link is not valid. Start again from the add-in.';
      return;
    }
    sessionStorage.setItem('guichet.transit_token', token);
    history.replaceState(null, '', location.pathname);
    location.replace('/auth/login?returnTo=' + encodeURIComponent('/addons/callback'));
  };
  var fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has('transit_token')) {
    proceed(fragment.get('transit_token'));
  } else if (window.Office && Office.onReady) {
    Office.onReady(function () {
      Office.context.ui.addHandlerAsync(Office.EventType.DialogParentMessageReceived, function (arg) {
        var message = JSON.parse(arg.message);
        proceed(message.transit_token);
      });
    });
  } else {
    proceed(null);
  }
})();`,
};
