#!/usr/bin/env python3
"""Opens a local HTML file in real headless Chromium and reports, as JSON on
stdout, what the page did: console messages, uncaught exceptions, log entries,
every network request, JavaScript dialogs (alert) and the answers to a few DOM
questions. Talks the DevTools protocol over --remote-debugging-pipe (fd 3 in,
fd 4 out, NUL-separated JSON), so it needs nothing but the standard library.
DNS is mapped to nowhere, so a request out could not succeed anyway; it is
still recorded, which is what the test asserts on.

Usage: chromium_cdp.py CHROMIUM FILE.html 'JS expression' ...
Exit 2 with a message on stderr when Chromium cannot be started.
"""
import json
import os
import select
import subprocess
import sys
import tempfile
import time


def main():
    chromium, page, questions = sys.argv[1], sys.argv[2], sys.argv[3:]
    url = "file://" + os.path.abspath(page)
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def wire():
        # Copies above every open fd first, so that a pipe end that is
        # already fd 3 or 4 is not closed or left close-on-exec.
        read_end, write_end = os.dup(to_chrome_r), os.dup(from_chrome_w)
        os.dup2(read_end, 3)
        os.dup2(write_end, 4)
        os.set_inheritable(3, True)
        os.set_inheritable(4, True)

    profile = tempfile.mkdtemp(prefix="blastmap-chromium-")
    try:
        proc = subprocess.Popen(
            [chromium, "--headless", "--disable-gpu", "--no-sandbox",
             "--no-first-run", "--no-default-browser-check",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--remote-debugging-pipe",
             "--host-resolver-rules=MAP * ~NOTFOUND",
             "--user-data-dir=" + profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=wire, close_fds=False)
    except OSError as e:
        print(f"cannot start {chromium}: {e}", file=sys.stderr)
        sys.exit(2)
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    buf = b""
    events = []
    next_id = [0]

    def send(method, params=None, session=None):
        next_id[0] += 1
        msg = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(to_chrome_w, json.dumps(msg).encode() + b"\0")
        return next_id[0]

    def read_one(deadline):
        nonlocal buf
        while b"\0" not in buf:
            left = deadline - time.time()
            if left <= 0:
                return None
            ready, _, _ = select.select([from_chrome_r], [], [], left)
            if not ready:
                return None
            chunk = os.read(from_chrome_r, 1 << 16)
            if not chunk:
                raise SystemExit("chromium closed the DevTools pipe")
            buf += chunk
        raw, buf = buf.split(b"\0", 1)
        return json.loads(raw)

    def on_event(msg, session):
        events.append(msg)
        if msg.get("method") == "Page.javascriptDialogOpening":
            send("Page.handleJavaScriptDialog", {"accept": True}, session)

    def call(method, params=None, session=None, timeout=30):
        want = send(method, params, session)
        deadline = time.time() + timeout
        while True:
            msg = read_one(deadline)
            if msg is None:
                raise SystemExit(f"no answer to {method}")
            if msg.get("id") == want:
                if "error" in msg:
                    raise SystemExit(f"{method}: {msg['error']}")
                return msg.get("result", {})
            on_event(msg, session)

    def drain(seconds, session, until=None):
        deadline = time.time() + seconds
        while True:
            msg = read_one(deadline)
            if msg is None:
                return False
            on_event(msg, session)
            if until and msg.get("method") == until:
                return True

    try:
        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            call(domain + ".enable", session=session)
        call("Page.navigate", {"url": url}, session)
        loaded = drain(60, session, until="Page.loadEventFired")
        drain(1.0, session)
        answers = []
        for q in questions:
            r = call("Runtime.evaluate", {"expression": q, "returnByValue": True}, session)
            answers.append(r.get("result", {}).get("value"))
        drain(0.3, session)
    finally:
        proc.kill()
        proc.wait()
    def of(method):
        return [e.get("params", {}) for e in events if e.get("method") == method]
    report = {
        "loaded": loaded,
        "url": url,
        "console": [{"type": p.get("type"),
                     "text": " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))}
                    for p in of("Runtime.consoleAPICalled")],
        "exceptions": [p.get("exceptionDetails", {}).get("text", "") + " " +
                       str(p.get("exceptionDetails", {}).get("exception", {}).get("description", ""))
                       for p in of("Runtime.exceptionThrown")],
        "log": [{"level": p["entry"].get("level"), "text": p["entry"].get("text"), "url": p["entry"].get("url")}
                for p in of("Log.entryAdded")],
        "requests": [p.get("request", {}).get("url") for p in of("Network.requestWillBeSent")],
        "dialogs": [p.get("message") for p in of("Page.javascriptDialogOpening")],
        "answers": answers,
    }
    json.dump(report, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
