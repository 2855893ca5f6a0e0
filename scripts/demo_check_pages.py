"""Log in to a running demo as the national user and check the national dashboard shows the
annual report's National Context figures (called by scripts/demo_check.sh; standard library
only, so it runs with any Python 3).

    python3 scripts/demo_check_pages.py http://127.0.0.1:8765
"""

from __future__ import annotations

import http.cookiejar
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

USERNAME = "national.demo"
PASSWORD = "Insight-demo-2024"  # noqa: S105 - the demo's published password (README)

# The headline of the national MS dashboard for February 2024 (rolling year): live
# investigations 3,884 -> 3,552 (-8.5%), recorded crimes 10,315 -> 9,197 (-10.8%), NRM
# referrals 3,592 -> 3,604 (+0.3%), as in the annual report 2023/24.
FIGURES = ("3,884", "3,552", "-8.5%", "10,315", "9,197", "-10.8%", "3,592", "3,604", "+0.3%")


def main(base: str) -> int:
    if urllib.parse.urlparse(base).scheme not in {"http", "https"}:
        print(f"demo-check: {base} is not an http(s) address", file=sys.stderr)
        return 2
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path: str) -> tuple[int, str, str]:
        with opener.open(base + path, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode("utf-8")

    status, _, page = get("/login/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not match:
        print(f"demo-check: the login page did not load (status {status})", file=sys.stderr)
        return 1
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": USERNAME, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - base is checked to be http(s) in main
        base + "/login/", data=form, headers={"Referer": base + "/login/"}
    )
    with opener.open(request, timeout=60) as response:
        landed = response.geturl()
    if "/login/verify/" in landed or "/login/enrol/" in landed:
        print(
            f"demo-check: the demo asked {USERNAME} for a second factor ({landed}): "
            "`make demo` runs the server with MSOIC_MFA_DEMO_OFF=true, so it should not",
            file=sys.stderr,
        )
        return 1
    if "/login" in urllib.parse.urlparse(landed).path:
        print(f"demo-check: logging in as {USERNAME} failed (still on {landed})", file=sys.stderr)
        return 1
    print(f"demo-check: logged in as {USERNAME}; the home page is {landed}")

    status, url, page = get("/dashboards/ms/?period=2024-02")
    headline = re.search(r'<table class="[^"]*msoic-headline.*?</table>', page, re.S)
    if status != 200 or not headline:
        print(f"demo-check: no headline table on {url} (status {status})", file=sys.stderr)
        return 1
    text = re.sub(r"<[^>]+>", " ", headline.group(0)).replace("&#x2d;", "-")
    missing = [figure for figure in FIGURES if figure not in text]
    if missing:
        print(
            f"demo-check: the national dashboard lacks the calibrated figures {missing}",
            file=sys.stderr,
        )
        return 1
    print(f"demo-check: the national dashboard shows {', '.join(FIGURES)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1].rstrip("/")))
    except urllib.error.URLError as exc:
        print(f"demo-check: {exc}", file=sys.stderr)
        sys.exit(1)
