/**
 * The look of WeSendit's one-time credentials dialog (storages-client.js renders it): a modal box
 * over a dimmed page, as on the storages page and after a successful connect on the connect page.
 */
export const CREDENTIALS_DIALOG_STYLE = `
  .ov { position: fixed; inset: 0; background: rgba(20, 28, 45, .45); display: flex; align-items: flex-start; justify-content: center; padding-top: 40px; }
  .md { background: #fff; border-radius: 10px; padding: 20px 28px; width: 640px; box-shadow: 0 10px 40px rgba(0,0,0,.25); }
  .warn { background: #fff4e0; padding: 8px 12px; border-radius: 6px; }
  .r, .fr, .dr { display: flex; gap: 10px; align-items: center; margin: 6px 0; }
  .k, .fr label, dt, b { width: 190px; color: #5b6478; }
  dd { margin: 0; } dl { margin: 0; }
  code { background: #eef1f6; padding: 2px 6px; border-radius: 4px; }
  .ic-cp, .ic-eye { border: 0; background: none; cursor: pointer; }
  .ack { display: block; margin: 14px 0; }
  .btn-primary { background: #2f6fed; color: #fff; border: 0; border-radius: 6px; padding: 8px 18px; }
  .btn-primary:disabled { background: #a9bde8; }
  /* Help stays clickable above the modal: tests use it as an "input processed" signal. */
  #probe { position: fixed; left: 12px; bottom: 12px; z-index: 10; }
`;
