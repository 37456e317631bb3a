export declare const SCRIPT_TAG_ENTRY: string;
/** The script tag (GET /sdk/touchpoint.js): one minified IIFE. */
export declare function buildScriptTag(): Promise<string>;
