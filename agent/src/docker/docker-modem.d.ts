// The slice of docker-modem's (untyped) API the agent uses.
declare module "docker-modem" {
  import type { IncomingMessage } from "node:http";
  import type { Readable } from "node:stream";

  interface DialOptions {
    path: string;
    method: string;
    options?: Record<string, unknown>;
    statusCodes: Record<number, boolean | string>;
    isStream?: boolean;
    file?: Readable;
    headers?: Record<string, string>;
    abortSignal?: AbortSignal;
  }

  interface ModemError extends Error {
    statusCode?: number;
    json?: unknown;
  }

  class Modem {
    constructor(options?: { socketPath?: string; host?: string; port?: number | string; protocol?: string; timeout?: number });
    dial(options: DialOptions, callback: (error: ModemError | null, result: any) => void): void;
  }
  export = Modem;
}
