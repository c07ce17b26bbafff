// JSON-RPC 2.0 over HTTP to Kamailio's jsonrpcs module (xhttp transport).

export class RpcError extends Error {
  override readonly name = 'RpcError';
  /** The JSON-RPC error code Kamailio answered with (404 "Dialog not found"), if any. */
  readonly rpcCode: number | undefined;
  constructor(message: string, options?: { cause?: unknown; rpcCode?: number }) {
    super(message, options);
    this.rpcCode = options?.rpcCode;
  }
}

/** The `error.code` of a JSON-RPC error answer, if the text is one. */
function rpcErrorCode(text: string): number | undefined {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } } | null;
    const code = body?.error?.code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}

export class KamailioRpc {
  readonly #url: string;
  readonly #timeoutMs: number;
  #id = 0;

  constructor(url: string, timeoutMs: number) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
  }

  /** The whole JSON-RPC response object; transport failures throw RpcError. */
  async call(method: string, params?: unknown[]): Promise<unknown> {
    const body = JSON.stringify({ jsonrpc: '2.0', method, params: params ?? [], id: ++this.#id });
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new RpcError(`${method}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    const text = await response.text().catch((err: unknown) => {
      throw new RpcError(`${method}: reading the answer failed`, { cause: err });
    });
    if (!response.ok) {
      throw new RpcError(`${method}: HTTP ${response.status} ${text.slice(0, 200)}`, {
        rpcCode: rpcErrorCode(text),
      });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new RpcError(`${method}: answer is not JSON`, { cause: err });
    }
  }
}
