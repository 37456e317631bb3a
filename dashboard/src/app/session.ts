/** The admin key lives in sessionStorage only: it is gone when the browser session ends. */
const STORAGE_KEY = 'touchpoint.adminKey';

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled: the key is then held in memory by the app state only
  }
}

export const session = {
  read(): string | null {
    return storage()?.getItem(STORAGE_KEY) ?? null;
  },
  write(key: string): void {
    storage()?.setItem(STORAGE_KEY, key);
  },
  clear(): void {
    storage()?.removeItem(STORAGE_KEY);
  },
};
