// The parts of Tauri's global bridge (`withGlobalTauri`) the UI uses; only
// api.js touches them.

export {};

declare global {
  /** A Tauri IPC channel: the back end sends a stream of messages over it, in order. */
  interface TauriChannel<T> {
    readonly id: number;
    onmessage: (message: T) => void;
  }

  interface TauriBridge {
    core: {
      invoke<T = unknown>(cmd: string, args?: object, options?: { headers: Record<string, string> }): Promise<T>;
      Channel: new <T = unknown>() => TauriChannel<T>;
    };
    event?: {
      listen<T = unknown>(event: string, handler: (e: { event: string; payload: T }) => void): Promise<() => void>;
    };
  }

  interface Window {
    __TAURI__?: TauriBridge;
  }
}
