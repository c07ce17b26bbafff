// JSON-RPC 2.0 over HTTP to Kamailio's jsonrpcs module (xhttp transport).

export class RpcError extends Error {
  override readonly name = 'RpcError';
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
      throw new RpcError(`${method}: HTTP ${response.status} ${text.slice(0, 200)}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new RpcError(`${method}: answer is not JSON`, { cause: err });
    }
  }
}
