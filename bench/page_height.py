"""A page's height when it loads and after scrolling to its end, in Chromium.

    make run                                         # another shell: the lab's content
    .venv/bin/python bench/page_height.py http://127.0.0.1:8000

Prints, for a few long pages at 1280 px and 390 px, `document.documentElement.
scrollHeight` on load and after scrolling to the end three times, with the site's
stylesheet as it is and with the `content-visibility: auto` rules it had before
issue 22 added back (the difference is what the scrollbar misstated). Measured, never
asserted: tests/browser/test_layout.py asserts that a list's height does not change.
"""

import argparse
import shutil

from playwright.sync_api import sync_playwright

FORMER_RULES = (
    ".publication { content-visibility: auto; contain-intrinsic-size: auto 20rem; }"
    " .year-chart { content-visibility: auto; contain-intrinsic-size: auto 16rem; }"
)
PAGES = ["/en/publications/", "/en/publications/?all=1", "/ja/research/core-loss-spectroscopy/"]
VIEWPORTS = [(1280, 800), (390, 844)]


def heights(browser, url, viewport, css):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, bypass_csp=True)
    page.goto(url)
    if css:
        page.add_style_tag(content=css)
    page.wait_for_timeout(300)
    first = page.evaluate("document.documentElement.scrollHeight")
    for _ in range(3):
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_timeout(300)
    last = page.evaluate("document.documentElement.scrollHeight")
    page.close()
    return first, last


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="a running site with the lab's content")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    print("| page | viewport | with `content-visibility` | without |")
    print("|---|---|---:|---:|")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for path in PAGES:
            for viewport in VIEWPORTS:
                former = heights(browser, args.base_url + path, viewport, FORMER_RULES)
                now = heights(browser, args.base_url + path, viewport, None)
                print(
                    f"| `{path}` | {viewport[0]} px | {former[0]} / {former[1]} px"
                    f" | {now[0]} / {now[1]} px |"
                )
        browser.close()


if __name__ == "__main__":
    main()
