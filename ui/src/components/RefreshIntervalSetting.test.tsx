import { render } from "solid-js/web";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  getRefreshIntervalHours: vi.fn(),
  setRefreshIntervalHours: vi.fn(async () => undefined),
}));

import * as api from "../api";
import RefreshIntervalSetting from "./RefreshIntervalSetting";

const mocked = vi.mocked(api);
const settle = () => new Promise((r) => setTimeout(r, 0));

let dispose: (() => void) | undefined;
beforeEach(() => vi.clearAllMocks());
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

async function mount() {
  const root = document.createElement("div");
  document.body.append(root);
  dispose = render(() => <RefreshIntervalSetting />, root);
  await settle();
  const select = root.querySelector<HTMLSelectElement>("[data-testid=refresh-interval]")!;
  const choose = async (value: string) => {
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
  };
  return { root, select, choose };
}

describe("RefreshIntervalSetting", () => {
  it("shows the saved interval and offers 1, 3, 6, 12, 24 hours and never", async () => {
    mocked.getRefreshIntervalHours.mockResolvedValue(6);
    const { select, root } = await mount();
    expect(root.querySelector("label")!.textContent).toContain("Check for new episodes");
    expect(select.value).toBe("6");
    expect(Array.from(select.options).map((o) => `${o.value}:${o.textContent}`)).toEqual([
      "1:Every hour",
      "3:Every 3 hours",
      "6:Every 6 hours",
      "12:Every 12 hours",
      "24:Every 24 hours",
      "0:Never",
    ]);
  });

  it("saves a new choice, 0 for never", async () => {
    mocked.getRefreshIntervalHours.mockResolvedValue(6);
    const { choose, select } = await mount();
    await choose("0");
    expect(mocked.setRefreshIntervalHours).toHaveBeenCalledWith(0);
    await choose("12");
    expect(mocked.setRefreshIntervalHours).toHaveBeenLastCalledWith(12);
    expect(select.value).toBe("12");
  });

  it("puts the old choice back and says why when saving fails", async () => {
    mocked.getRefreshIntervalHours.mockResolvedValue(24);
    mocked.setRefreshIntervalHours.mockRejectedValueOnce(new Error("Could not save the setting."));
    const { choose, select, root } = await mount();
    await choose("1");
    expect(select.value).toBe("24");
    expect(root.querySelector("[data-testid=refresh-interval-error]")!.textContent).toBe("Could not save the setting.");
  });
});
