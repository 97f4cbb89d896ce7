// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"enableIframePageLoading":true}}
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectFormValues } from '../../../shared/protocol/extension-protocol.ts';
import type { Dock } from '../dock/dock-step.ts';
import { createDock } from '../dock/dock.ts';
import { PREVIEW_BUTTON_NAME, startPreviewConnect, type PreviewConnect } from './preview-connect.ts';

const FORM = `
  <form id="f">
    <label for="p">Storage provider</label><select id="p" name="provider"><option value="other">Other S3</option></select>
    <label for="e">S3 endpoint</label><input id="e" name="endpoint">
    <label for="b">Bucket name</label><input id="b" name="bucket">
    <label for="a">Access key ID</label><input id="a" name="accessKey">
    <label for="s">Secret access key</label><input id="s" name="secretKey" type="password">
    <button type="submit" id="connect">Connect</button>
  </form>`;

let feature: PreviewConnect | undefined;
let dock: Dock;
let captured: ConnectFormValues[];
let submits: number;

function previewButton(): HTMLButtonElement | undefined {
  const button = document.querySelector('[data-connect-guard-ui="preview-connect"]');
  return button instanceof HTMLButtonElement ? button : undefined;
}

beforeEach(() => {
  document.documentElement.lang = 'en';
  document.body.innerHTML = FORM;
  dock = createDock(window);
  captured = [];
  submits = 0;
  document.getElementById('f')?.addEventListener('submit', (event) => {
    event.preventDefault();
    submits += 1;
  });
});

afterEach(() => {
  feature?.stop();
  feature = undefined;
  dock.stop();
});

function docks(): NodeListOf<Element> {
  return document.querySelectorAll('[data-connect-guard-ui="dock"]');
}

describe('startPreviewConnect', () => {
  it('puts "Preview connect" right after Connect; a click reads the form now and opens the preview for the form id', async () => {
    // happy-dom loads no frames; the URL shape is the content script's (see wesendit.content.ts).
    const previewUrl = vi.fn((formId: string) => `about:blank#form=${formId}`);
    feature = startPreviewConnect(window, {
      captureForm: async (form) => {
        captured.push(form);
        return { formId: 'form-1' };
      },
      previewUrl,
      // happy-dom's click() is never trusted; the user's click is, in a browser.
      isUserClick: () => true,
    }, dock);
    const button = previewButton();
    expect(button?.textContent).toBe(PREVIEW_BUTTON_NAME);
    expect(button?.previousElementSibling?.id).toBe('connect');
    expect(button?.type).toBe('button');

    const input = (name: string): HTMLInputElement => {
      const element = document.querySelector(`[name="${name}"]`);
      if (!(element instanceof HTMLInputElement)) throw new Error(name);
      return element;
    };
    input('endpoint').value = 'http://127.0.0.1:7480';
    input('bucket').value = 'nas';
    input('accessKey').value = 'CGTESTKEY';
    input('secretKey').value = 'cgtest-secret-unit';
    button?.click();
    await vi.waitFor(() => expect(previewUrl).toHaveBeenCalledWith('form-1'));
    expect(captured).toEqual([{ provider: 'Other S3', endpoint: 'http://127.0.0.1:7480', region: '', bucket: 'nas', accessKey: 'CGTESTKEY', secretKey: 'cgtest-secret-unit' }]);
    expect(submits).toBe(0);
    expect(docks()).toHaveLength(1);
    expect(dock.current()).toBe('preview');
    expect(dock.shadow.querySelectorAll('iframe')).toHaveLength(1);
    expect(dock.shadow.querySelector('iframe')?.getAttribute('src')).toBe('about:blank#form=form-1');
    // A second click: still one dock, one frame.
    button?.click();
    await vi.waitFor(() => expect(previewUrl).toHaveBeenCalledTimes(2));
    expect(docks()).toHaveLength(1);
    expect(dock.shadow.querySelectorAll('iframe')).toHaveLength(1);
    // Nothing of the secret in the page's markup.
    expect(document.documentElement.outerHTML).not.toContain('cgtest-secret-unit');
  });

  it('ignores a page script’s click() on "Preview connect": only the user opens the preview', async () => {
    const previewUrl = vi.fn((formId: string) => formId);
    const captureForm = vi.fn(async () => ({ formId: 'form-2' }));
    feature = startPreviewConnect(window, { captureForm, previewUrl }, dock);
    previewButton()?.click();
    previewButton()?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(captureForm).not.toHaveBeenCalled();
    expect(docks()).toHaveLength(0);
  });

  it('comes back when the page re-renders its form', async () => {
    feature = startPreviewConnect(window, { captureForm: async () => ({ formId: 'x' }), previewUrl: (id) => id }, dock);
    expect(previewButton()).toBeDefined();
    document.body.innerHTML = FORM;
    expect(previewButton()).toBeUndefined();
    await vi.waitFor(() => expect(previewButton()?.previousElementSibling?.id).toBe('connect'));
    expect(document.querySelectorAll('[data-connect-guard-ui="preview-connect"]')).toHaveLength(1);
  });

  it('keeps the English accessible name on a German page and adds a German description', () => {
    document.documentElement.lang = 'de';
    document.body.innerHTML = FORM.replace('>Connect<', '>Verbinden<');
    feature = startPreviewConnect(window, { captureForm: async () => ({ formId: 'x' }), previewUrl: (id) => id }, dock);
    expect(previewButton()?.textContent).toBe('Preview connect');
    expect(previewButton()?.title).toMatch(/Verbindung/);
  });

  it('shows the reason in the panel when the extension cannot take the form', async () => {
    const previewUrl = vi.fn((id: string) => id);
    feature = startPreviewConnect(window, {
      captureForm: async () => {
        throw new Error('Reload the extension.');
      },
      previewUrl,
      isUserClick: () => true,
    }, dock);
    previewButton()?.click();
    await vi.waitFor(() => expect(docks()).toHaveLength(1));
    expect(previewUrl).not.toHaveBeenCalled();
    expect(dock.shadow.querySelectorAll('iframe')).toHaveLength(0);
    expect(dock.shadow.querySelector('[role="alert"]')?.textContent).toBe('Connect Guard could not hand the form to the extension: Reload the extension.');
  });
});
