/**
 * The development/test identity of the unpacked extension.
 *
 * `manifest.key` fixes the extension id of an unpacked build, which the native-messaging host
 * manifest needs before the browser starts (`allowed_origins`). This is a public key only; a
 * store build gets its id from the store instead.
 */
export const DEV_EXTENSION_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0PWHtKYKdjn2ScZCwb1ohIcyDqMfCvYIy+5yUQHJFiMzK4VkyPkzVdPOzs3VxcqtrmKHoGQ1zrjmLMLRZ+xSISxbh9XBqW+bGMMoB4WyQdb2ZkFVhuzpuFSjWS6lM7pJzMvYNgmF9LnlM/By4MF8KgmrORo5IBmzr/NObjzVMLvFmzyVDvwl21wCbLWmOx5DnntLmRBe1J2SfDEhHB1bLduG0GqM0lmnK6VFYv9aIz/uWc3skEQWqZOQx9LbDhLNoiKQaaOnqIS35yMkABdgB5AuHIoT2b5Buho0CPrJ4pk6rxk0KjDuCo4o9ref06pl6OmPlhm88zVXxUBf99ATEwIDAQAB';

/** The id Chromium derives from {@link DEV_EXTENSION_KEY}. */
export const DEV_EXTENSION_ID = 'mmdddcpcnmjcbbelgogjfhoboambpked';

/**
 * The add-on id of every Firefox build (`browser_specific_settings.gecko.id`). Firefox gives an
 * add-on's pages a random per-install `moz-extension://<uuid>/` origin, but the id is what it
 * tells the native host (`allowed_extensions`), so it is fixed, release builds included.
 */
export const FIREFOX_EXTENSION_ID = 'connect-guard@connect-guard.dev';

/**
 * The oldest Firefox with everything the add-on uses in MV3: `storage.session`, the
 * `optional_host_permissions` key, `scripting.registerContentScripts`, `wasm-unsafe-eval` (ESR 128).
 */
export const FIREFOX_MIN_VERSION = '128.0';
