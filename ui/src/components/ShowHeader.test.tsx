import { render } from "solid-js/web";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../api", () => ({
  getSoundProfile: vi.fn(),
  setSoundProfile: vi.fn(),
}));

import { showView } from "../test/fixtures";
import ShowHeader from "./ShowHeader";

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  document.body.replaceChildren();
});

describe("ShowHeader", () => {
  it("says when another device unsubscribed, and offers to subscribe again or remove", () => {
    const onSubscribeAgain = vi.fn();
    const onRemove = vi.fn();
    const root = document.createElement("div");
    document.body.append(root);
    dispose = render(
      () => <ShowHeader show={showView("s", { unsubscribed_elsewhere: true })} warning={null} onSubscribeAgain={onSubscribeAgain} onRemove={onRemove} />,
      root,
    );
    const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid=${id}]`);
    expect(q("show-unsubscribed")!.textContent).toContain("Unsubscribed on another device");
    q("show-subscribe-again")!.click();
    expect(onSubscribeAgain).toHaveBeenCalledTimes(1);
    q("show-remove")!.click();
    expect(onRemove).toHaveBeenCalledTimes(1);
  });

  it("says nothing of it for a show subscribed here", () => {
    const root = document.createElement("div");
    document.body.append(root);
    dispose = render(() => <ShowHeader show={showView("s")} warning={null} />, root);
    expect(root.querySelector("[data-testid=show-unsubscribed]")).toBeNull();
  });
});
