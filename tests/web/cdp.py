"""cdp.py - a small Chrome DevTools Protocol client for the web end-to-end test.

Only Debian packages are used: the `chromium` browser and `python3-websocket`
(websocket-client).  Everything else is the Python standard library.

    with Browser() as browser:
        page = browser.new_page()               # default browser context
        page.goto("http://127.0.0.1:8080/login")
        page.fill("#user", "alice")
        page.submit("#sign-in")                 # click, wait for the next load
        print(page.status, page.url, page.eval("document.title"))
        page.key("j")                           # a real keyboard event
        page.screenshot("/tmp/shot.png")
        other = browser.new_page(isolated=True) # own context: own cookies

One websocket to the browser carries every page: pages are attached with
flattened sessions (Target.attachToTarget flatten=true), and one reader loop
(Connection.call / Connection.pump) dispatches events to the page they belong
to while it waits for a response id.  Every wait has a deadline (default 20 s)
and fails with a CDPTimeout that says what it was waiting for.

Each Page records:
  console_errors  console.error/console.assert, uncaught exceptions, and Log
                  entries of level error (with their source: 'network' marks a
                  failed resource load such as a 403 or 409 answer)
  requests        every request: {url, method, type}
  responses       every response, redirects included: {url, status, type,
                  location} (location: the Location header of a redirect)
  status          HTTP status of the main frame's current document
  dialogs         alert/confirm/prompt dialogs, which are dismissed at once

Browser(log_path=...) keeps Chromium's stderr; otherwise it goes to a file in
the temporary directory, which close() removes.
"""

import atexit
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

import websocket  # Debian: python3-websocket

DEFAULT_TIMEOUT = 20.0

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--mute-audio",
    "--no-proxy-server",  # never send the test's traffic through an env proxy
    "--remote-debugging-port=0",
]


class CDPError(Exception):
    """The browser answered a command with an error, or went away."""


class CDPTimeout(CDPError):
    """A wait ran past its deadline."""


class JSError(CDPError):
    """Evaluated JavaScript threw."""


class BrowserError(CDPError):
    """The browser could not be started."""


def _deadline(timeout):
    return time.monotonic() + (DEFAULT_TIMEOUT if timeout is None else timeout)


class Connection:
    """One websocket; commands by id, events dispatched to sessions."""

    def __init__(self, ws_url, timeout=DEFAULT_TIMEOUT):
        try:
            self.ws = websocket.create_connection(
                ws_url, timeout=timeout, suppress_origin=True, enable_multithread=False
            )
        except Exception as e:  # noqa: BLE001 - report any connect failure alike
            raise BrowserError(f"cannot connect to DevTools at {ws_url}: {e}") from e
        self.timeout = timeout
        self.ids = itertools.count(1)
        self.replies = {}  # id -> message, kept until its caller takes it
        self.sessions = {}  # sessionId -> Page
        self.closed = False

    def call(self, method, params=None, session_id=None, timeout=None):
        """Send a command and return its result, dispatching events meanwhile."""
        if self.closed:
            raise CDPError(f"{method}: the DevTools connection is closed")
        msg_id = next(self.ids)
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session_id:
            msg["sessionId"] = session_id
        try:
            self.ws.send(json.dumps(msg))
        except Exception as e:  # noqa: BLE001
            self.closed = True
            raise CDPError(f"{method}: cannot send to the browser: {e}") from e
        timeout = self.timeout if timeout is None else timeout
        deadline = _deadline(timeout)
        while msg_id not in self.replies:
            if not self._read_one(deadline):
                raise CDPTimeout(f"no reply to {method} within {timeout:g} s")
        reply = self.replies.pop(msg_id)
        if "error" in reply:
            err = reply["error"]
            raise CDPError(f"{method}: {err.get('message')} {err.get('data', '')}".strip())
        return reply.get("result", {})

    def pump(self, seconds):
        """Dispatch events for up to `seconds` (a wait that is not a sleep)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read_one(deadline)

    def _read_one(self, deadline):
        """Read and dispatch one message; False if the deadline passed first."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.ws.settimeout(remaining)
        try:
            raw = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return False
        except Exception as e:  # noqa: BLE001 - closed socket, reset, ...
            self.closed = True
            raise CDPError(f"lost the DevTools connection: {e}") from e
        if not raw:
            self.closed = True
            raise CDPError("the browser closed the DevTools connection")
        msg = json.loads(raw)
        if "id" in msg:
            self.replies[msg["id"]] = msg
        else:
            page = self.sessions.get(msg.get("sessionId"))
            if page is not None:
                page._on_event(msg["method"], msg.get("params", {}))
        return True

    def close(self):
        self.closed = True
        with contextlib.suppress(Exception):
            self.ws.close()


class Browser:
    """A headless Chromium with a fresh profile, killed (whole process group)
    and its temporary directory removed on close()."""

    def __init__(self, executable=None, log_path=None, timeout=DEFAULT_TIMEOUT,
                 window_size=(1280, 900), extra_flags=()):
        self.executable = executable or os.environ.get("CHROMIUM", "/usr/bin/chromium")
        self.log_path = log_path
        self.timeout = timeout
        self.window_size = window_size
        self.extra_flags = list(extra_flags)
        self.proc = None
        self.tmp = None
        self.conn = None
        self.pages = []
        self.contexts = []

    # -- lifecycle --------------------------------------------------------
    def start(self):
        if self.proc is not None:
            raise BrowserError("this Browser is already started")
        self.tmp = tempfile.mkdtemp(prefix="cdp-")
        profile = os.path.join(self.tmp, "profile")
        os.mkdir(profile)
        log_path = self.log_path or os.path.join(self.tmp, "chromium.log")
        self.log_path = log_path
        atexit.register(self.close)
        args = [self.executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                "--window-size=%d,%d" % self.window_size, *self.extra_flags, "about:blank"]
        # Debian's chromium always starts crashpad: keep its database, like
        # every other file the browser writes, inside the temporary directory
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(self.tmp, "config"),
                   XDG_CACHE_HOME=os.path.join(self.tmp, "cache"))
        try:
            with open(log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                    start_new_session=True,  # own process group, killed as one
                )
            port, path = self._wait_devtools_port(profile)
            self.conn = Connection(f"ws://127.0.0.1:{port}{path}", self.timeout)
        except BaseException:
            self.close()
            raise
        return self

    def _wait_devtools_port(self, profile):
        active = os.path.join(profile, "DevToolsActivePort")
        deadline = _deadline(self.timeout)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BrowserError(
                    f"chromium exited with status {self.proc.returncode} before "
                    f"DevTools was up; log {self.log_path}:\n{self.log_tail()}"
                )
            with contextlib.suppress(OSError):
                with open(active, encoding="ascii") as f:
                    lines = f.read().split("\n")
                if len(lines) >= 2 and lines[0].strip().isdigit() and lines[1].startswith("/"):
                    return int(lines[0]), lines[1].strip()
            time.sleep(0.05)  # polling interval, bounded by the deadline
        raise BrowserError(
            f"no {active} within {self.timeout:g} s; log {self.log_path}:\n{self.log_tail()}"
        )

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def close(self):
        """Idempotent: close the connection, kill the group, remove the temp dir."""
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.call("Browser.close", timeout=2)
            self.conn.close()
            self.conn = None
        if self.proc is not None:
            self._kill_group()
            self.proc = None
        if self.tmp is not None:
            self._kill_strays()
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _kill_group(self):
        """SIGTERM the browser's process group, SIGKILL what is left after a
        grace period, and wait until no process of the group remains."""
        pgid = self.proc.pid  # start_new_session: the group id is the leader's pid
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                self.proc.poll()  # reap the leader, our child
                try:
                    os.killpg(pgid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.05)

    def _kill_strays(self):
        """crashpad handlers leave the process group (setsid) and usually exit
        with the browser; kill any that still name our temporary directory."""
        mark = self.tmp.encode()
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if mark in f.read():
                        os.kill(int(pid), signal.SIGKILL)
            except OSError:
                continue

    def __enter__(self):
        return self if self.proc is not None else self.start()

    def __exit__(self, *exc):
        self.close()
        return False

    # -- targets ----------------------------------------------------------
    def new_context(self):
        """A separate browser context (own cookies and storage); its id."""
        ctx = self.conn.call("Target.createBrowserContext", {"disposeOnDetach": True})
        self.contexts.append(ctx["browserContextId"])
        return ctx["browserContextId"]

    def new_page(self, context_id=None, isolated=False):
        """A new tab, in `context_id`, a new context if `isolated`, or the default."""
        if isolated and context_id is None:
            context_id = self.new_context()
        params = {"url": "about:blank"}
        if context_id:
            params["browserContextId"] = context_id
        target_id = self.conn.call("Target.createTarget", params)["targetId"]
        session_id = self.conn.call(
            "Target.attachToTarget", {"targetId": target_id, "flatten": True}
        )["sessionId"]
        page = Page(self, target_id, session_id, context_id)
        self.conn.sessions[session_id] = page
        page._enable()
        self.pages.append(page)
        return page

    def console_errors(self):
        return [e for p in self.pages for e in p.console_errors]

    def requests(self):
        return [r for p in self.pages for r in p.requests]


# key -> (code, windowsVirtualKeyCode, text)
_SPECIAL_KEYS = {
    "Enter": ("Enter", 13, "\r"),
    "Tab": ("Tab", 9, ""),
    "Escape": ("Escape", 27, ""),
    "Backspace": ("Backspace", 8, ""),
    " ": ("Space", 32, " "),
    "ArrowLeft": ("ArrowLeft", 37, ""),
    "ArrowUp": ("ArrowUp", 38, ""),
    "ArrowRight": ("ArrowRight", 39, ""),
    "ArrowDown": ("ArrowDown", 40, ""),
    "Home": ("Home", 36, ""),
    "End": ("End", 35, ""),
    "/": ("Slash", 191, "/"),
    "?": ("Slash", 191, "?"),
}

SHIFT = 8


def _key_description(key):
    if key in _SPECIAL_KEYS:
        code, vk, text = _SPECIAL_KEYS[key]
        return code, vk, text, (SHIFT if key == "?" else 0)
    if len(key) == 1 and key.isalpha() and key.isascii():
        return "Key" + key.upper(), ord(key.upper()), key, (SHIFT if key.isupper() else 0)
    if len(key) == 1 and key.isdigit():
        return "Digit" + key, ord(key), key, 0
    raise ValueError(f"key(): no key description for {key!r}")


class Page:
    """One tab, attached through its own flattened session."""

    def __init__(self, browser, target_id, session_id, context_id):
        self.browser = browser
        self.target_id = target_id
        self.session_id = session_id
        self.context_id = context_id
        self.timeout = browser.timeout
        self.frame_id = None  # main frame
        self.nav_seq = 0  # main-frame navigations committed
        self.loaded_seq = -1  # nav_seq whose load event fired
        self.status = None  # HTTP status of the current main document
        self.console_errors = []
        self.requests = []
        self.responses = []
        self.dialogs = []

    # -- plumbing ---------------------------------------------------------
    def call(self, method, params=None, timeout=None):
        return self.browser.conn.call(method, params, self.session_id,
                                      self.timeout if timeout is None else timeout)

    def _enable(self):
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        # key events and :focus behave as in a focused window, for every tab
        self.call("Emulation.setFocusEmulationEnabled", {"enabled": True})
        self.frame_id = self.call("Page.getFrameTree")["frameTree"]["frame"]["id"]
        self.loaded_seq = self.nav_seq  # about:blank is loaded

    def _on_event(self, method, p):
        if method == "Page.frameNavigated" and not p["frame"].get("parentId"):
            self.frame_id = p["frame"]["id"]
            self.nav_seq += 1
        elif method == "Page.loadEventFired":
            self.loaded_seq = self.nav_seq
        elif method == "Network.requestWillBeSent":
            req = p["request"]
            self.requests.append({"url": req["url"], "method": req["method"],
                                  "type": p.get("type")})
            red = p.get("redirectResponse")
            if red:
                self.responses.append({"url": red["url"], "status": red["status"],
                                       "type": p.get("type"),
                                       "location": _header(red, "location")})
        elif method == "Network.responseReceived":
            resp = p["response"]
            self.responses.append({"url": resp["url"], "status": resp["status"],
                                   "type": p.get("type"), "location": None})
            if p.get("type") == "Document" and p.get("frameId") == self.frame_id:
                self.status = resp["status"]
        elif method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            text = " ".join(_remote_text(a) for a in p.get("args", []))
            self.console_errors.append({"kind": "console", "source": "console-api",
                                        "level": p["type"], "text": text, "url": None})
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            text = (d.get("exception") or {}).get("description") or d.get("text", "")
            self.console_errors.append({"kind": "exception", "source": "javascript",
                                        "level": "error", "text": text,
                                        "url": d.get("url")})
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            e = p["entry"]
            self.console_errors.append({"kind": "log", "source": e.get("source"),
                                        "level": "error", "text": e.get("text", ""),
                                        "url": e.get("url")})
        elif method == "Page.javascriptDialogOpening":
            # a dialog would block every script; record it and dismiss it
            self.dialogs.append({"type": p["type"], "message": p["message"]})
            self.call("Page.handleJavaScriptDialog", {"accept": p["type"] != "beforeunload"})

    # -- navigation -------------------------------------------------------
    @contextlib.contextmanager
    def navigation(self, timeout=None, what="navigation"):
        """Wait, after the block, for a new main-frame document to load:

            with page.navigation():
                page.key("Enter")
        """
        timeout = self.timeout if timeout is None else timeout
        before = self.nav_seq
        yield
        deadline = _deadline(timeout)
        conn = self.browser.conn
        while not (self.nav_seq > before and self.loaded_seq == self.nav_seq):
            if not conn._read_one(deadline):
                raise CDPTimeout(
                    f"{what}: no new page loaded within {timeout:g} s "
                    f"(still at {self._safe_url()})"
                )

    def goto(self, url, timeout=None):
        """Navigate and wait for the load event; returns the HTTP status."""
        with self.navigation(timeout, what=f"goto {url}"):
            res = self.call("Page.navigate", {"url": url}, timeout)
            if res.get("errorText"):
                raise CDPError(f"goto {url}: {res['errorText']}")
        return self.status

    def reload(self, timeout=None):
        with self.navigation(timeout, what="reload"):
            self.call("Page.reload", {"ignoreCache": True}, timeout)
        return self.status

    @property
    def url(self):
        return self.eval("location.href")

    @property
    def path(self):
        return urllib.parse.urlsplit(self.url).path

    def _safe_url(self):
        try:
            return self.call("Runtime.evaluate", {"expression": "location.href",
                                                  "returnByValue": True}, 2)["result"]["value"]
        except CDPError:
            return "?"

    # -- scripts and the DOM ----------------------------------------------
    def eval(self, js, timeout=None):
        """Evaluate an expression; its value (JSON-able), awaiting promises."""
        res = self.call("Runtime.evaluate", {
            "expression": js, "returnByValue": True, "awaitPromise": True,
            "userGesture": True,
        }, timeout)
        if "exceptionDetails" in res:
            d = res["exceptionDetails"]
            text = (d.get("exception") or {}).get("description") or d.get("text")
            raise JSError(f"{text}\n  in: {js[:200]}")
        return res["result"].get("value")

    def _on(self, css, body):
        """Run `body` (JS using `el`) on the first element matching css."""
        return self.eval(
            "(() => { const el = document.querySelector(%s);"
            " if (!el) throw new Error('no element matches ' + %s); %s })()"
            % (json.dumps(css), json.dumps(css), body)
        )

    def exists(self, css):
        return self.eval(f"document.querySelector({json.dumps(css)}) !== null")

    def count(self, css):
        return self.eval(f"document.querySelectorAll({json.dumps(css)}).length")

    def text(self, css):
        return self._on(css, "return el.textContent.trim();")

    def attr(self, css, name):
        return self._on(css, f"return el.getAttribute({json.dumps(name)});")

    def click(self, css):
        self._on(css, "el.click();")

    def focus(self, css):
        self._on(css, "el.focus();")

    def fill(self, css, value):
        """Set an input's, textarea's or select's value, as a user would."""
        self._on(css, """
            const v = %s, old = el.value;
            el.focus();
            el.value = v;
            if (el.value !== v) {
                el.value = old;
                throw new Error('cannot set ' + el.tagName.toLowerCase() + ' to ' +
                                JSON.stringify(v) + ' (no such option?)');
            }
            el.dispatchEvent(new Event('input', {bubbles: true}));
            el.dispatchEvent(new Event('change', {bubbles: true}));
        """ % json.dumps(value))

    def submit(self, css, timeout=None):
        """Click a button (or submit a form) and wait for the next page load;
        returns the new document's HTTP status."""
        with self.navigation(timeout, what=f"submit {css}"):
            self._on(css, """
                if (el.tagName === 'FORM') el.requestSubmit(); else el.click();
            """)
        return self.status

    def wait_for(self, js, timeout=None, what=None):
        """Wait until the expression is truthy; returns its value."""
        timeout = self.timeout if timeout is None else timeout
        deadline = _deadline(timeout)
        last_error = None
        while True:
            try:
                value = self.eval(js, timeout=max(0.1, deadline - time.monotonic()))
                if value:
                    return value
            except JSError as e:  # e.g. during a navigation; keep it for the message
                last_error = e
            if time.monotonic() >= deadline:
                msg = f"{what or js}: not true within {timeout:g} s"
                if last_error:
                    msg += f" (last error: {last_error})"
                raise CDPTimeout(msg)
            self.browser.conn.pump(min(0.1, max(0.0, deadline - time.monotonic())))

    # -- input ------------------------------------------------------------
    def key(self, key, modifiers=0):
        """Press and release one key with real (trusted) keyboard events."""
        code, vk, text, implied = _key_description(key)
        down = {"type": "keyDown" if text else "rawKeyDown", "key": key, "code": code,
                "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk,
                "modifiers": modifiers | implied}
        if text:
            down.update(text=text, unmodifiedText=text.lower())
        self.call("Input.dispatchKeyEvent", down)
        self.call("Input.dispatchKeyEvent", {
            "type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk,
            "nativeVirtualKeyCode": vk, "modifiers": modifiers | implied})

    # -- output -----------------------------------------------------------
    def screenshot(self, path, full_page=True):
        """Write a PNG of the page (all of it if full_page)."""
        params = {"format": "png"}
        if full_page:
            m = self.call("Page.getLayoutMetrics")
            size = m.get("cssContentSize") or m["contentSize"]
            params.update(captureBeyondViewport=True, clip={
                "x": 0, "y": 0, "scale": 1,
                "width": max(1, int(size["width"])), "height": max(1, int(size["height"]))})
        data = base64.b64decode(self.call("Page.captureScreenshot", params)["data"])
        with open(path, "wb") as f:
            f.write(data)
        return path

    def cookies(self, urls=None):
        """Cookies visible to the current page (or to `urls`), with their
        httpOnly, secure and sameSite flags."""
        return self.call("Network.getCookies", {"urls": urls} if urls else {})["cookies"]

    def cookie(self, name):
        return next((c for c in self.cookies() if c["name"] == name), None)

    def close(self):
        with contextlib.suppress(CDPError):
            self.browser.conn.call("Target.closeTarget", {"targetId": self.target_id})
        self.browser.conn.sessions.pop(self.session_id, None)


def _remote_text(obj):
    if "value" in obj:
        return str(obj["value"])
    return obj.get("description") or obj.get("unserializableValue") or obj.get("type", "")


def _header(response, name):
    for k, v in (response.get("headers") or {}).items():
        if k.lower() == name:
            return v
    return None
