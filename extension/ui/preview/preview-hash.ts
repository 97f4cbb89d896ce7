/** `#form=<id>&preview=<id>` → its values (the preview page is opened with these). */
export function previewHashParams(hash: string): { readonly formId?: string; readonly previewId?: string } {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const formId = params.get('form') ?? '';
  const previewId = params.get('preview') ?? '';
  return { ...(formId === '' ? {} : { formId }), ...(previewId === '' ? {} : { previewId }) };
}
