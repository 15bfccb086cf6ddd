import { buildApp, type AppOptions, type TokclassApp } from "../../src/server/app.js";
import type { AddressInfo } from "node:net";

export interface Started extends TokclassApp {
  url: string;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1, port chosen by the OS. */
export async function start(options: AppOptions): Promise<Started> {
  const built = buildApp(options);
  await built.app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = built.app.server.address() as AddressInfo;
  return { ...built, url: `http://127.0.0.1:${port}`, close: () => built.app.close() };
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export interface SseEvent {
  event: string;
  data: unknown;
}

export function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      return { event, data: JSON.parse(data.join("\n")) as unknown };
    });
}
