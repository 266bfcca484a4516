// Types of static-server.mjs, for the test that imports it.
export function serveFiles(files: Record<string, string | Uint8Array>, opts?: { isolated?: boolean }): Promise<{ url: string; close(): Promise<void> }>;
export function libraryPage(libPath?: string): string;
