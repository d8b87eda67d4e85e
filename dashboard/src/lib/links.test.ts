import { describe, expect, it } from "vitest";
import { externalHref } from "./links";

describe("externalHref", () => {
  it("keeps absolute http and https links", () => {
    expect(externalHref("https://www.moneycontrol.com/news/a.html")).toBe("https://www.moneycontrol.com/news/a.html");
    expect(externalHref("http://example.com")).toBe("http://example.com/");
    expect(externalHref("  https://example.com/x  ")).toBe("https://example.com/x");
  });

  it("refuses script, data, relative and empty links", () => {
    expect(externalHref("javascript:alert(1)")).toBeNull();
    expect(externalHref("JavaScript:alert(1)")).toBeNull();
    expect(externalHref("data:text/html,<script>alert(1)</script>")).toBeNull();
    expect(externalHref("/chart/TCS")).toBeNull();
    expect(externalHref("www.example.com/story")).toBeNull();
    expect(externalHref("ftp://example.com/file")).toBeNull();
    expect(externalHref("")).toBeNull();
    expect(externalHref(null)).toBeNull();
    expect(externalHref(undefined)).toBeNull();
  });
});
