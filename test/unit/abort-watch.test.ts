// watchAbort: the calls waiting on one AbortSignal share a single "abort" listener.
import { getEventListeners } from "node:events";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { watchAbort } from "../../src/abort-watch.js";

describe("watchAbort", () => {
  it("one listener for any number of watchers, removed with the last", () => {
    const signal = new AbortController().signal;
    const unwatches = Array.from({ length: 50 }, () => watchAbort(signal, () => {}));
    expect(getEventListeners(signal, "abort")).toHaveLength(1);
    unwatches.slice(0, 49).forEach((u) => u());
    expect(getEventListeners(signal, "abort")).toHaveLength(1);
    unwatches[49]!();
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    // Watching again after that adds it again.
    const u = watchAbort(signal, () => {});
    expect(getEventListeners(signal, "abort")).toHaveLength(1);
    u();
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("an abort calls each watcher still watching exactly once; unwatched ones not at all", () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const cb = (i: number) => () => calls.push(i);
    watchAbort(controller.signal, cb(0));
    const u1 = watchAbort(controller.signal, cb(1));
    const shared = cb(2);
    watchAbort(controller.signal, shared);
    watchAbort(controller.signal, shared); // the same function twice: two watchers
    u1();
    u1(); // idempotent
    controller.abort();
    controller.abort();
    expect(calls.sort()).toEqual([0, 2, 2]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("a watcher unwatched by another's callback during the abort is not called (as EventTarget does)", () => {
    const controller = new AbortController();
    const calls: string[] = [];
    let unwatchB = (): void => {};
    watchAbort(controller.signal, () => {
      calls.push("a");
      unwatchB();
    });
    unwatchB = watchAbort(controller.signal, () => calls.push("b"));
    watchAbort(controller.signal, () => calls.push("c"));
    controller.abort();
    expect(calls).toEqual(["a", "c"]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("signals are independent", () => {
    const a = new AbortController(), b = new AbortController();
    const calls: string[] = [];
    watchAbort(a.signal, () => calls.push("a"));
    const ub = watchAbort(b.signal, () => calls.push("b"));
    a.abort();
    expect(calls).toEqual(["a"]);
    expect(getEventListeners(b.signal, "abort")).toHaveLength(1);
    ub();
    expect(getEventListeners(b.signal, "abort")).toHaveLength(0);
  });

  // In a child process: the rethrown error is reported as uncaught, which vitest would count.
  it("a watcher that throws does not keep the others from being called; its error is reported", () => {
    const script = `
      const { watchAbort } = await import(${JSON.stringify(new URL("../../dist/abort-watch.js", import.meta.url).href)});
      const controller = new AbortController();
      const calls = [];
      watchAbort(controller.signal, () => calls.push("a"));
      watchAbort(controller.signal, () => { throw new Error("watcher failed"); });
      watchAbort(controller.signal, () => calls.push("c"));
      process.on("uncaughtException", (e) => console.log("reported: " + e.message));
      controller.abort();
      setTimeout(() => console.log(calls.join(",")), 10);`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(child.stdout.trim().split("\n")).toEqual(["reported: watcher failed", "a,c"]);
    expect(child.status).toBe(0);
  });
});
