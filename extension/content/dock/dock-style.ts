/** The dock's look, inside its closed shadow root (dock.ts). */

export const DOCK_STYLE = `
  :host { all: initial; position: fixed; z-index: 2147483647; display: block; }
  [hidden] { display: none !important; }
  button { font: inherit; color: inherit; background: transparent; border: 0; margin: 0; cursor: pointer; border-radius: 4px; }
  button:focus-visible { outline: 2px solid #ffbf47; outline-offset: 1px; }
  .panel { box-sizing: border-box; display: flex; flex-direction: column; width: 100%; height: 100%; overflow: hidden;
    background: #fff; color: #1d2433; border-radius: 10px; box-shadow: 0 12px 40px rgba(0,0,0,.35); font: 13px/1.3 system-ui, sans-serif;
    container-type: inline-size; }
  header { background: #14213d; color: #fff; padding: 2px 4px 0 10px; }
  .bar { display: flex; align-items: center; gap: 6px; min-height: 30px; }
  .brand { font-weight: 600; white-space: nowrap; }
  .title { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: #dfe6f3; }
  .title::before { content: '· '; }
  /* Narrow: the frame's own heading names the step; the bar keeps its buttons. */
  @container (max-width: 359px) { .title { visibility: hidden; } }
  .bar button { min-width: 28px; min-height: 28px; padding: 0 6px; font-size: 15px; line-height: 1; }
  nav { display: flex; gap: 2px; overflow-x: auto; }
  nav button { padding: 3px 8px 4px; border-radius: 4px 4px 0 0; border-bottom: 3px solid transparent; color: #cfd8ea; white-space: nowrap; }
  nav button[aria-current] { color: #fff; border-bottom-color: #ffbf47; font-weight: 600; }
  .body { flex: 1; min-height: 0; display: flex; }
  iframe { flex: 1; border: 0; width: 100%; height: 100%; background: #fff; }
  .message { margin: 16px; color: #4a2a00; }
  /* Light with a dark rim: it must stand out on dark page headers as on white pages. */
  .handle { box-sizing: border-box; display: block; width: max-content; max-width: calc(100vw - 16px); padding: 6px 14px;
    background: #fff; color: #14213d; border: 2px solid #14213d; border-left: 6px solid #ffbf47; border-radius: 18px;
    box-shadow: 0 6px 20px rgba(0,0,0,.35); font: 600 13px/1.3 system-ui, sans-serif; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .handle:focus-visible { outline: 3px solid #2f6fed; outline-offset: 2px; }
`;
