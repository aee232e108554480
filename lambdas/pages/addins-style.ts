/** The look shared by the add-in dialog's pages. */
export const ADDIN_PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1f}main{max-width:28rem;margin:auto}' +
  'button{font:inherit;padding:.5rem 1.2rem;margin:.5rem .5rem 0 0;border-radius:.3rem;border:1px solid #555;cursor:pointer}' +
  '#confirm{background:#1b4fd8;color:#fff;border-color:#1b4fd8}[hidden]{display:none}';
