/** The app's version, from package.json at build time (or APP_VERSION), so a user can tell which build runs. */
declare const __APP_VERSION__: string | undefined;

export const APP_VERSION: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';
