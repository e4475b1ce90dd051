/**
 * A minimal client of RESP2, the protocol of Valkey and Redis: enough for the readiness probe and the verify
 * round trip (AUTH, PING, SET, GET, DEL) without a client library.
 */
import { connect, type Socket } from "node:net";

export type RespValue = string | number | null | RespValue[];

/** An error reply of the server (`-WRONGPASS ...`); `code` is its first word. */
export class RespError extends Error {
  override name = "RespError";
  readonly code: string;
  constructor(message: string) {
    // "authentication failed" lets the shared error classification name the credential variables.
    const code = message.split(" ")[0] ?? "ERR";
    super(["WRONGPASS", "NOAUTH"].includes(code) ? `authentication failed: ${message}` : message);
    this.code = code;
  }
}

/** Pure: one command as RESP: an array of bulk strings. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts = args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(`*${args.length}\r\n${parts.join("")}`);
}

/**
 * Pure: the reply starting at `offset`, and where the next one starts; undefined while the buffer holds only
 * part of it. An error reply is returned as a RespError value, for the caller to throw.
 */
export function parseReply(
  buffer: Buffer,
  offset = 0,
): { value: RespValue | RespError; next: number } | undefined {
  const lineEnd = buffer.indexOf("\r\n", offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[offset] ?? 0);
  const line = buffer.toString("utf8", offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, next: afterLine };
    case "-":
      return { value: new RespError(line), next: afterLine };
    case ":":
      return { value: Number(line), next: afterLine };
    case "$": {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return { value: buffer.toString("utf8", afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespValue[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, next);
        if (!item) return undefined;
        if (item.value instanceof RespError) return item;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`not a RESP reply (starts with ${JSON.stringify(type)})`);
  }
}

/** One connection; commands are answered in order, one at a time. */
export class RespConnection {
  private buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk) => this.receive(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () =>
      this.fail(Object.assign(new Error("connection closed"), { code: "ECONNRESET" })),
    );
  }

  /** Connects, failing with the socket's error (ECONNREFUSED, ENOTFOUND) or ETIMEDOUT after `timeoutMs`. */
  static open(host: string, port: number, timeoutMs: number): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setTimeout(timeoutMs, () =>
        socket.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })),
      );
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RespConnection(socket));
      });
    });
  }

  command(...args: string[]): Promise<RespValue> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      let reply: ReturnType<typeof parseReply>;
      try {
        reply = parseReply(this.buffer);
      } catch (error) {
        this.fail(error as Error);
        this.socket.destroy();
        return;
      }
      if (!reply) return;
      this.buffer = this.buffer.subarray(reply.next);
      const waiter = this.waiting.shift();
      if (reply.value instanceof RespError) waiter?.reject(reply.value);
      else waiter?.resolve(reply.value);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}
