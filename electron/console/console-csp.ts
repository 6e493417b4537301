/**
 * Content-Security-Policy of the console page (sent as a header by the console server and, in Electron, by
 * `session.webRequest.onHeadersReceived`; renderer/index.html carries a meta tag for file:// loads). Scripts only
 * from the app itself, no eval, no inline script, no plugins, no framing, no form posts; network only to itself
 * (the console talks to the hub through the core, never directly).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob: mediastream:",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
