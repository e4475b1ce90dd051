import { closeSync, openSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { ReadStream } from "node:tty";

/** Whether /dev/tty can really be opened (CI, setsid and a closed terminal cannot). */
export function hasTerminal(): boolean {
  try {
    closeSync(openSync("/dev/tty", "r+"));
    return true;
  } catch {
    return false;
  }
}

/**
 * Asks on the terminal (/dev/tty, not stdin: make's recipe may have none) and resolves true only for "yes".
 * Undefined when there is no terminal to ask (CI, setsid, a closed terminal).
 */
export async function askYes(lines: readonly string[]): Promise<boolean | undefined> {
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch {
    return undefined;
  }
  writeSync(fd, `${lines.join("\n")}\nType "yes" to continue: `);
  // A terminal stream, not an fs one: an fs read left blocked on the terminal would keep the process from exiting.
  const input = new ReadStream(fd);
  const reader = createInterface({ input });
  const answer = await new Promise<string>((done) => {
    reader.once("line", done);
    reader.once("close", () => done(""));
  });
  reader.close();
  input.destroy();
  return answer.trim() === "yes";
}
