#!/usr/bin/python3
"""walk.py - the reviewer's walk through claimscrub-web in a real browser.

    tests/web/walk.py --base http://127.0.0.1:PORT \\
        --user U --password P --user2 U2 --password2 P2 \\
        --claim REF --finding-rule RULE --shots DIR [--timeout 20]

Drives headless Chromium (tests/web/cdp.py) through the page contract of
claimscrub-web and prints TAP: `ok N - ...` / `not ok N - ...`, `# ` lines of
diagnostics, `1..N` at the end.  Exit status: 0 when the walk ran (failures
are in the TAP), 2 on a setup error (base unreachable, no browser, ...),
reported as `Bail out!`.

The walk (STEPS below, in order): the login page, and its accessibility; a
wrong password refused with 403; U signs in (303 to /, session cookie
HttpOnly + SameSite=Strict); the work list, and its accessibility; the rule
filter through the form; j/k move the current row; the claim opened with
Enter (the link only if the keyboard fails); the claim page, and its
accessibility; U2, in a separate browser context, decides the RULE finding;
U's stale form for the same finding answers 409 with a conflict naming U2,
whose decision stays; U signs out; no console errors but the expected 403/409
loads; no request to another host.  Accessibility is tests/web/a11y.py's
audit (the WCAG 2.1 A/AA rules axe-core rates serious or critical), each
problem a diagnostic.  Screenshots: DIR/worklist.png,
DIR/claim.png, DIR/conflict.png; the browser's log: DIR/chromium.log.
"""

import argparse
import json
import os
import signal
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import a11y  # noqa: E402 - tests/web/a11y.py (standard library only)

SETUP_ERROR = 2
NOTE_U2 = "checked the MAR"
NOTE_U = "stale form: this must not overwrite the other decision"


class SetupError(Exception):
    pass


# ---------------------------------------------------------------- TAP -----
class Tap:
    def __init__(self, out=sys.stdout):
        self.out = out
        self.n = 0

    def _print(self, line):
        print(line, file=self.out, flush=True)

    def diag(self, *lines):
        for text in lines:
            for line in str(text).splitlines() or [""]:
                self._print(f"# {line}")

    def ok(self, cond, name, *diag):
        """One test point; `diag` explains a failure (and is shown only then)."""
        self.n += 1
        self._print(f"{'ok' if cond else 'not ok'} {self.n} - {name}")
        if not cond:
            self.diag(*diag)
        return bool(cond)

    def skip(self, name, reason):
        self.n += 1
        self._print(f"ok {self.n} - {name} # SKIP {reason}")

    def plan(self):
        self._print(f"1..{self.n}")


# --------------------------------------------------------- the walker -----
class Walk:
    """The walk's state: arguments, the browser, the two reviewers' pages."""

    def __init__(self, args, tap, browser):
        self.a = args
        self.tap = tap
        self.browser = browser
        self.u = None  # U's page (default browser context)
        self.u2 = None  # U2's page (its own browser context)
        self.finding = None  # id of the RULE finding both try to decide
        self.u2_decision = None  # its .decision text right after U2 decided

    def check(self, cond, name, *diag):
        return self.tap.ok(cond, name, *diag)

    def url(self, path):
        return urllib.parse.urljoin(self.a.base, path)

    def shot(self, page, name):
        path = page.screenshot(os.path.join(self.a.shots, name))
        self.tap.diag(f"screenshot {path}")


# ------------------------------------------------------------ helpers -----
def q(value):
    """A CSS attribute value, quoted."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def js(value):
    return json.dumps(value)


def claim_path(ref):
    return "/claim/" + urllib.parse.quote(ref, safe="")


def path_of(url):
    return urllib.parse.urlsplit(url or "").path


def last_response(page, method_path, status=None):
    """The latest recorded response whose URL path is `method_path`."""
    for r in reversed(page.responses):
        if path_of(r["url"]) == method_path and (status is None or r["status"] == status):
            return r
    return None


def sign_in(w, page, user, password):
    """Type user and password into the login form on `page` (opening /login
    first unless the form is already there) and submit; the new status."""
    if not page.exists("form#login"):
        page.goto(w.url("/login"))
    page.fill("#user", user)
    page.fill("#password", password)
    return page.submit("#sign-in")


def rows(page):
    return page.eval("[...document.querySelectorAll('#work-list tbody tr[data-claim]')]"
                     ".map(tr => tr.dataset.claim)")


def current_row(page):
    """Index of the row with class `current`, -1 if none; and how many have it."""
    return page.eval("""(() => {
        const rows = [...document.querySelectorAll('#work-list tbody tr[data-claim]')];
        const cur = rows.filter(r => r.classList.contains('current'));
        return [rows.indexOf(cur[0]), cur.length];
    })()""")


def blur(page):
    """Keys go to the document, not to a form field that kept the focus."""
    page.eval("document.activeElement && document.activeElement.blur && "
              "document.activeElement.blur(), true")


def press(page, key):
    blur(page)
    page.key(key)


def finding_css(fid):
    return f"section.finding[data-finding={q(fid)}]"


def decide_form_facts(page, fid):
    """What the decide form of finding `fid` holds (None if it has none)."""
    return page.eval("""(() => {
        const s = document.querySelector(%s);
        const f = s && s.querySelector('form.decide');
        if (!f) return null;
        const hidden = n => { const i = f.querySelector('input[type=hidden][name=' + n + ']');
                              return i ? i.value : null; };
        const sel = f.querySelector('select[name=reason]');
        return {method: (f.getAttribute('method') || '').toLowerCase(),
                action: new URL(f.action, location.href).pathname,
                csrf: hidden('csrf'), finding: hidden('finding'), seen: hidden('seen'),
                reasons: sel ? [...sel.options].map(o => ({value: o.value,
                         text: o.textContent.trim(), disabled: o.disabled})) : null,
                note: !!f.querySelector('textarea[name=note]'),
                resolve: !!f.querySelector('.resolve')};
    })()""" % js(finding_css(fid)))


def first_reason(facts):
    """The first option of the reason select that a person can pick."""
    for o in facts["reasons"] or []:
        if o["value"] and not o["disabled"]:
            return o
    return None


def decide(page, fid, reason, note):
    """Fill and send the decide form of finding `fid`; the answer's status."""
    s = finding_css(fid)
    page.fill(f"{s} form.decide select[name=reason]", reason["value"])
    page.fill(f"{s} form.decide textarea[name=note]", note)
    return page.submit(f"{s} form.decide .resolve")


def decision_text(page, fid):
    css = f"{finding_css(fid)} p.decision"
    return page.text(css) if page.exists(css) else None


# -------------------------------------------------------------- steps -----
def login_page(w):
    p = w.u
    status = p.goto(w.url("/login"))
    w.check(status == 200, "GET /login answers 200", f"status {status}")
    f = p.eval("""(() => {
        const f = document.querySelector('form#login');
        if (!f) return null;
        const el = s => f.querySelector(s);
        const csrf = el('input[type=hidden][name=csrf]');
        return {method: (f.getAttribute('method') || '').toLowerCase(),
                action: new URL(f.action, location.href).pathname,
                user: !!el('input#user[name=user]'),
                password: !!el('input#password[name=password]'),
                password_type: el('#password') && el('#password').type,
                csrf: csrf ? csrf.value : null, sign_in: !!el('#sign-in')};
    })()""")
    if not w.check(f is not None, "login page has form#login"):
        return False
    w.check(f["method"] == "post" and f["action"] == "/login",
            "form#login posts to /login", f"method {f['method']!r}, action {f['action']!r}")
    w.check(f["user"] and f["password"] and f["password_type"] == "password",
            "form#login has #user and a password field #password", json.dumps(f))
    w.check(bool(f["csrf"]), "form#login carries a non-empty hidden csrf", f"csrf {f['csrf']!r}")
    return w.check(f["sign_in"], "form#login has the #sign-in button")


def wrong_password(w):
    p = w.u
    status = sign_in(w, p, w.a.user, w.a.password + "-not-it")
    w.check(status == 403, "a wrong password is answered 403", f"status {status}, at {p.url}")
    w.check(p.exists("#login-error"), "the refused login shows #login-error")
    w.check(p.exists("form#login"), "the refused login shows the login form again")


def sign_in_u(w):
    p = w.u
    if p.exists("form#login"):
        w.tap.diag("signing in on the page that is showing the login form")
    status = sign_in(w, p, w.a.user, w.a.password)
    r = last_response(p, "/login", 303)
    w.check(r is not None and path_of(r["location"]) == "/",
            "POST /login answers 303 to /",
            "responses to /login: " + json.dumps([x for x in p.responses
                                                  if path_of(x["url"]) == "/login"]))
    signed_in = w.check(p.path == "/" and status == 200,
                        f"signed in as {w.a.user}, at the work list",
                        f"at {p.url}, status {status}")
    c = p.cookie("claimscrub_session")
    if w.check(c is not None, "session cookie claimscrub_session is set",
               "cookies: " + ", ".join(x["name"] for x in p.cookies())):
        flags = {k: c.get(k) for k in ("httpOnly", "sameSite", "secure", "path")}
        w.check(c["httpOnly"], "session cookie is HttpOnly", json.dumps(flags))
        w.check(c.get("sameSite") == "Strict", "session cookie is SameSite=Strict",
                f"sameSite {c.get('sameSite')!r}")
    return signed_in


def work_list(w):
    p = w.u
    ref = w.a.claim
    if p.path != "/":
        p.goto(w.url("/"))
    w.check(p.exists("h1"), "work list has an <h1>")
    who = p.text("#who") if p.exists("#who") else None
    w.check(who is not None and w.a.user in who, f"#who shows {w.a.user}", f"#who {who!r}")
    listed = rows(p)
    w.check(len(listed) >= 1, "#work-list shows at least one row", f"{len(listed)} rows")
    has_claim = w.check(ref in listed, f"#work-list has the row for {ref}",
                        f"rows: {', '.join(listed[:20])}")
    link = p.eval("""(() => {
        const a = document.querySelector('#work-list tr[data-claim=%s] a.open');
        return a && {href: a.getAttribute('href'), text: a.textContent.trim()};
    })()""" % q(ref))
    w.check(link is not None and link["href"] in ("/claim/" + ref, claim_path(ref))
            and link["text"] == ref,
            f"the row links a.open to /claim/{ref}", f"link {link!r}")
    f = p.eval("""(() => {
        const f = document.querySelector('form#filters');
        if (!f) return null;
        const names = ['state', 'rule', 'severity', 'payer', 'provider', 'assignee',
                       'older_than', 'min_amount', 'sort'];
        const sort = f.querySelector('select[name=sort]');
        return {method: (f.getAttribute('method') || 'get').toLowerCase(),
                action: new URL(f.action, location.href).pathname,
                missing: names.filter(n => !f.elements.namedItem(n)),
                selects: ['state', 'rule', 'severity', 'sort'].filter(
                    n => !f.querySelector('select[name=' + n + ']')),
                sort: sort ? [...sort.options].map(o => o.value) : [],
                apply: !!f.querySelector('#apply')};
    })()""")
    if w.check(f is not None, "work list has form#filters"):
        w.check(f["method"] == "get" and f["action"] == "/", "form#filters is GET /",
                f"method {f['method']!r}, action {f['action']!r}")
        w.check(not f["missing"] and not f["selects"] and f["apply"],
                "form#filters has every filter field and #apply",
                f"missing {f['missing']}, not a select {f['selects']}, #apply {f['apply']}")
        w.check({"amount", "age", "dos"} <= set(f["sort"]),
                "sort offers amount, age and dos", f"sort options {f['sort']}")
    lo = p.eval("""(() => { const f = document.querySelector('form#logout');
        return f && {method: (f.getAttribute('method') || '').toLowerCase(),
                     action: new URL(f.action, location.href).pathname}; })()""")
    w.check(lo is not None and lo["method"] == "post" and lo["action"] == "/logout",
            "work list has the sign-out form#logout (POST /logout)", f"{lo!r}")
    w.check(p.eval("[...document.scripts].some(s => s.src && "
                   "new URL(s.src).pathname === '/static/app.js')"),
            "work list loads /static/app.js")
    w.shot(p, "worklist.png")
    return has_claim


def filter_by_rule(w):
    p = w.u
    rule = w.a.finding_rule
    options = p.eval("[...document.querySelectorAll('form#filters select[name=rule] option')]"
                     ".map(o => o.value)")
    if not w.check(rule in options, f"the rule filter offers {rule}", f"options {options}"):
        return False
    p.fill("form#filters select[name=rule]", rule)
    status = p.submit("#apply")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(p.url).query, keep_blank_values=True)
    w.check(status == 200 and path_of(p.url) == "/" and query.get("rule") == [rule],
            f"#apply lands on /?...rule={rule}", f"at {p.url}, status {status}")
    listed = rows(p)
    w.check(w.a.claim in listed, f"{w.a.claim} is still listed with rule={rule}",
            f"rows: {', '.join(listed[:20])}")


def keyboard_rows(w):
    p = w.u
    n = len(rows(p))
    if n < 2:
        w.tap.diag(f"{n} row(s) on {p.url}: using the unfiltered list to see j/k move")
        p.goto(w.url("/"))
        n = len(rows(p))
    before, _ = current_row(p)
    press(p, "j")
    after_j, count = current_row(p)
    w.check(after_j == (0 if before < 0 else min(before + 1, n - 1)) and count == 1,
            "j moves the current row down", f"current row {before} -> {after_j} of {n}, "
            f"{count} row(s) current")
    if after_j == 0 and n > 1:  # leave room to see k move up
        press(p, "j")
        after_j, _ = current_row(p)
    press(p, "k")
    after_k, count = current_row(p)
    w.check(after_k == max(after_j - 1, 0) and count == 1,
            "k moves the current row up", f"current row {after_j} -> {after_k} of {n}, "
            f"{count} row(s) current")
    w.shot(p, "worklist.png")


def open_claim(w):
    p = w.u
    ref = w.a.claim
    if ref not in rows(p):
        p.goto(w.url("/"))
    listed = rows(p)
    if not w.check(ref in listed, f"{ref} is on the work list to open", f"at {p.url}"):
        return False
    target = listed.index(ref)
    presses = []
    for _ in range(len(listed) + 1):  # bounded: at most one press per row
        cur, _ = current_row(p)
        if cur == target:
            break
        key = "j" if cur < target else "k"
        press(p, key)
        presses.append(key)
    cur, _ = current_row(p)
    opened_by = None
    if cur == target:
        try:
            with p.navigation(what="Enter on the current row"):
                press(p, "Enter")
            opened_by = f"keyboard: {' '.join(presses) or '(already current)'} Enter"
        except Exception as e:  # noqa: BLE001 - reported, then the link is tried
            w.tap.diag(f"Enter did not open the claim: {e}")
    else:
        w.tap.diag(f"could not make row {target} current with j/k (at {cur})")
    w.check(opened_by is not None and p.path == claim_path(ref),
            f"Enter on {ref}'s row opens /claim/{ref}", f"at {p.url}")
    if opened_by is None:
        p.submit(f"#work-list tr[data-claim={q(ref)}] a.open")
        opened_by = "its link (the keyboard did not open it)"
    w.tap.diag(f"claim opened with {opened_by}")
    return w.check(p.path == claim_path(ref) and p.status == 200,
                   f"at /claim/{ref}, status 200", f"at {p.url}, status {p.status}")


def claim_page(w):
    p = w.u
    ref, rule = w.a.claim, w.a.finding_rule
    h1 = p.text("h1") if p.exists("h1") else None
    w.check(h1 is not None and ref in h1, f"<h1> names {ref}", f"h1 {h1!r}")
    w.check(p.count("table#lines tbody tr") >= 1, "table#lines lists the billed lines",
            f"{p.count('table#lines tbody tr')} rows")
    w.check(p.exists("table#expected"), "table#expected is there")
    svg, none = p.exists("svg#timeline"), p.exists("p#timeline-none")
    w.check(svg or none, "the timeline is there (svg#timeline or p#timeline-none)",
            f"svg#timeline {svg}, p#timeline-none {none}")
    found = p.eval("""[...document.querySelectorAll('section.finding[data-rule=%s]')]
        .map(s => ({id: s.dataset.finding, open: !!s.querySelector('form.decide')}))"""
                   % q(rule))
    open_ones = [f["id"] for f in found if f["open"]]
    if not w.check(open_ones, f"an undecided finding of rule {rule} is there",
                   f"findings of {rule}: {found}"):
        w.shot(p, "claim.png")
        return False
    w.finding = open_ones[0]
    w.tap.diag(f"finding {w.finding} (rule {rule}) is the one to decide")
    f = decide_form_facts(p, w.finding)
    w.check(f["method"] == "post" and f["action"] == claim_path(ref) + "/decide",
            f"its form.decide posts to /claim/{ref}/decide",
            f"method {f['method']!r}, action {f['action']!r}")
    # seen: the decision the page showed, empty for an undecided finding
    w.check(bool(f["csrf"]) and f["finding"] == w.finding and f["seen"] == "",
            "form.decide carries hidden csrf, finding and seen (empty: undecided)",
            f"csrf {f['csrf']!r}, finding {f['finding']!r}, seen {f['seen']!r}")
    w.check(first_reason(f) is not None and f["note"] and f["resolve"],
            "form.decide has a reason select, a note and a .resolve button", json.dumps(f))
    press(p, "r")
    focused = p.eval("""(() => {
        const s = document.querySelector('section.finding form.decide select[name=reason]');
        return s !== null && document.activeElement === s; })()""")
    w.check(focused, "r focuses the first open finding's reason select",
            "focused: " + str(p.eval("document.activeElement && "
                                     "document.activeElement.outerHTML.slice(0, 120)")))
    blur(p)
    w.shot(p, "claim.png")


def other_decides(w):
    a = w.a
    w.u2 = p = w.browser.new_page(isolated=True)
    status = sign_in(w, p, a.user2, a.password2)
    w.check(p.path == "/" and status == 200, f"{a.user2} signs in (own browser context)",
            f"at {p.url}, status {status}")
    w.check(p.cookie("claimscrub_session") != w.u.cookie("claimscrub_session"),
            "the two reviewers have separate sessions")
    p.goto(w.url(claim_path(a.claim)))
    f = decide_form_facts(p, w.finding)
    if not w.check(f is not None, f"{a.user2} sees finding {w.finding} undecided"):
        return False
    reason = first_reason(f)
    if not w.check(reason is not None, "the reason select has an option to pick",
                   f"options {f['reasons']}"):
        return False
    w.tap.diag(f"{a.user2} picks reason {reason['value']!r} ({reason['text']})")
    status = decide(p, w.finding, reason, NOTE_U2)
    r = last_response(p, claim_path(a.claim) + "/decide")
    w.check(r is not None and r["status"] == 303
            and path_of(r["location"]) == claim_path(a.claim),
            f"the decision is answered 303 to /claim/{a.claim}", f"response {r!r}")
    w.check(p.path == claim_path(a.claim) and status == 200,
            f"{a.user2} is back at the claim", f"at {p.url}, status {status}")
    text = decision_text(p, w.finding)
    w.u2_decision = text
    w.check(text is not None and a.user2 in text
            and (reason["value"] in text or reason["text"] in text),
            f"the finding shows .decision with the reason and {a.user2}", f"decision {text!r}")
    # deciding again is deciding over what this page showed: seen is bob's time
    again = decide_form_facts(p, w.finding)
    w.check(again is not None and again["seen"] != "",
            "the decided finding's form now carries the decision's time as seen",
            json.dumps(again))
    return text is not None


def stale_conflicts(w):
    p, a = w.u, w.a
    f = decide_form_facts(p, w.finding)
    if not w.check(f is not None and first_reason(f) is not None,
                   f"{a.user}'s page, read before, still has the form"):
        return False
    status = decide(p, w.finding, first_reason(f), NOTE_U)
    w.check(status == 409, f"{a.user}'s stale decision is answered 409",
            f"status {status}, at {p.url}")
    conflict = p.text("p.conflict[role=alert]") if p.exists("p.conflict[role=alert]") else None
    w.check(conflict is not None and a.user2 in conflict,
            f"p.conflict[role=alert] names {a.user2}", f"conflict {conflict!r}")
    text = decision_text(p, w.finding)
    w.check(text is not None and a.user2 in text,
            f"the conflict page shows {a.user2}'s decision", f"decision {text!r}")
    w.shot(p, "conflict.png")
    w.u2.reload()
    again = decision_text(w.u2, w.finding)
    w.check(again == w.u2_decision, f"{a.user2}'s decision is not overwritten",
            f"before {w.u2_decision!r}", f"now {again!r}")


def rule_explanation(w):
    """The finding's rule name links to the rule's explanation."""
    p, ref, rule = w.u, w.a.claim, w.a.finding_rule
    p.goto(w.url(claim_path(ref)))
    css = f"section.finding[data-rule={q(rule)}] a.rule"
    if not w.check(p.exists(css), f"the finding's rule {rule} is a link (a.rule)",
                   f"at {p.url}"):
        return False
    p.submit(css)
    h1 = p.text("h1") if p.exists("h1") else ""
    text = p.text("p.explain") if p.exists("p.explain") else ""
    w.check(p.path == "/rule/" + rule and p.status == 200 and rule in h1,
            f"it opens /rule/{rule}, status 200, its name in <h1>",
            f"at {p.url}, status {p.status}, h1 {h1!r}")
    w.check("Fix:" in text, "the explanation says what the fix does", f"p.explain {text!r}")
    w.shot(p, "rule.png")


def dashboard(w):
    """The manager's view: the live report with its charts, in the browser."""
    p = w.u
    status = p.goto(w.url("/dashboard"))
    w.check(status == 200, "the dashboard answers 200", f"status {status}")
    charts = p.eval("[...document.querySelectorAll('svg.chart')].map(s => s.dataset.chart)")
    w.check({"day-rate", "rule", "payer", "provider"} <= set(charts or []),
            "the dashboard draws the day, rule, payer and provider charts", f"charts {charts}")
    links = p.eval("""[...document.querySelectorAll('svg.chart[data-chart=rule] a')]
        .map(a => a.getAttribute('href'))""")
    w.check(bool(links) and all(h.startswith("/?state=all&rule=") for h in links),
            "every rule bar links to the work list filtered by its rule", f"links {links}")
    w.check(p.exists("form#dash-filters") and p.exists("a#csv"),
            "the dashboard has its filters and the CSV link")
    w.shot(p, "dashboard.png")
    return bool(links)


def drill_down(w):
    """A click on the first rule bar opens the work list of that rule."""
    p = w.u
    href = p.eval("document.querySelector('svg.chart[data-chart=rule] a').getAttribute('href')")
    rule = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query).get("rule", [""])[0]
    with p.navigation():
        p.eval("""(() => { const a = document.querySelector('svg.chart[data-chart=rule] a');
            a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));
        })()""")
    got = urllib.parse.parse_qs(urllib.parse.urlsplit(p.url).query).get("rule", [""])[0]
    w.check(p.path == "/" and got == rule and rule,
            f"the bar's click lands on the work list of rule {rule}", f"at {p.url}")
    listed = rows(p)
    w.check(len(listed) >= 1, "the drilled-down list has the rule's claims", f"{len(listed)} rows")


def sign_out(w):
    p = w.u
    if not p.exists("form#logout"):
        p.goto(w.url("/"))
    status = p.submit("form#logout")
    w.check(p.path == "/login", "signing out lands on /login", f"at {p.url}, status {status}")
    p.goto(w.url("/"))
    r = last_response(p, "/")
    w.check(p.path == "/login" and r is not None and r["status"] in (302, 303, 307),
            "GET / afterwards redirects to /login", f"at {p.url}, response to /: {r!r}")


def console_clean(w):
    expected, other = [], []
    for e in w.browser.console_errors():
        failed_load = e["kind"] == "log" and e["source"] == "network"
        if failed_load and ("status of 403" in e["text"] or "status of 409" in e["text"]):
            expected.append(e)
        else:
            other.append(e)
    w.tap.diag(f"{len(expected)} expected failed load(s) (the 403 and 409 answers)")
    seen = {}
    for e in other:
        line = f"{e['kind']}/{e['source']}: {e['text']} {e['url'] or ''}".rstrip()
        seen[line] = seen.get(line, 0) + 1
    w.check(not other, "no console errors, exceptions or failed loads",
            *[f"{line} (x{n})" if n > 1 else line for line, n in list(seen.items())[:20]])


def accessible(what):
    """A step: the page U is on passes a11y.audit (it only reads the page)."""
    def step(w):
        problems = a11y.audit(w.u)
        w.check(not problems, f"accessibility: {what} has no serious problem",
                f"{len(problems)} problem(s) at {w.u.path}:", *problems[:40],
                *([f"... and {len(problems) - 40} more"] if len(problems) > 40 else []))
    return step


def requests_stay_local(w):
    host = urllib.parse.urlsplit(w.a.base).hostname
    urls = [r["url"] for r in w.browser.requests()]
    away = sorted({u for u in urls
                   if urllib.parse.urlsplit(u).scheme not in ("data", "blob", "about")
                   and urllib.parse.urlsplit(u).hostname != host})
    w.check(not away, f"all {len(urls)} requests went to {host}", *away[:20])


# One place that lists the walk: (name, step, the steps it builds on).
# Each step prints its own test points; it returns False (or raises) when the
# walk cannot go on from it, and the steps that build on it are then skipped.
STEPS = [
    ("login page", login_page, ()),
    ("accessibility: login page", accessible("login page"), ("login page",)),
    ("wrong password", wrong_password, ("login page",)),
    ("sign in", sign_in_u, ("login page",)),
    ("work list", work_list, ("sign in",)),
    ("accessibility: work list", accessible("work list"), ("work list",)),
    ("filter by rule", filter_by_rule, ("work list",)),
    ("keyboard j/k", keyboard_rows, ("work list",)),
    ("open the claim", open_claim, ("work list",)),
    ("claim page", claim_page, ("open the claim",)),
    ("accessibility: claim page", accessible("claim page"), ("claim page",)),
    ("second reviewer decides", other_decides, ("claim page",)),
    ("stale decision conflicts", stale_conflicts, ("second reviewer decides",)),
    ("rule explanation", rule_explanation, ("claim page",)),
    ("accessibility: rule page", accessible("rule page"), ("rule explanation",)),
    ("dashboard", dashboard, ("sign in",)),
    ("accessibility: dashboard", accessible("dashboard"), ("dashboard",)),
    ("drill down", drill_down, ("dashboard",)),
    ("sign out", sign_out, ("sign in",)),
    ("console", console_clean, ()),
    ("network", requests_stay_local, ()),
]


def run_steps(w):
    reached = set()
    for name, step, needs in STEPS:
        missing = [n for n in needs if n not in reached]
        if missing:
            w.tap.skip(name, f"needs {', '.join(missing)}")
            continue
        w.tap.diag(f"--- {name}")
        try:
            if step(w) is not False:
                reached.add(name)
        except Exception as e:  # noqa: BLE001 - one step's failure, reported as TAP
            w.check(False, f"{name}: {type(e).__name__}", str(e),
                    *traceback.format_exc(limit=4).splitlines()[-6:-1])


# -------------------------------------------------------------- setup -----
def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="http://127.0.0.1:PORT of claimscrub-web")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--user2", required=True)
    ap.add_argument("--password2", required=True)
    ap.add_argument("--claim", required=True, help="claim REF with a finding of RULE")
    ap.add_argument("--finding-rule", required=True, help="RULE of an undecided finding")
    ap.add_argument("--shots", required=True, help="directory for the screenshots")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds for each wait")
    ap.add_argument("--chromium", default=None, help="browser binary (/usr/bin/chromium)")
    a = ap.parse_args(argv)
    if not a.base.endswith("/"):
        a.base += "/"
    return a


def probe(base, timeout):
    """Fail early, as a setup error, if nothing answers at base."""
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise SetupError(f"--base {base}: not an http(s) URL")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        opener.open(urllib.parse.urljoin(base, "login"), timeout=timeout).close()
    except urllib.error.HTTPError:
        pass  # it answers: the walk will say what is wrong
    except (OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise SetupError(f"cannot reach {base}login: {reason}") from e


def _interrupted(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv):
    args = parse_args(argv)
    tap = Tap()
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        try:
            import cdp
        except ImportError as e:
            raise SetupError(f"{e} (Debian: apt-get install python3-websocket)") from e
        try:
            os.makedirs(args.shots, exist_ok=True)
        except OSError as e:
            raise SetupError(f"--shots {args.shots}: {e}") from e
        probe(args.base, min(args.timeout, 10))
        browser = cdp.Browser(executable=args.chromium, timeout=args.timeout,
                              log_path=os.path.join(args.shots, "chromium.log"))
        try:
            browser.start()
        except (cdp.CDPError, OSError) as e:
            raise SetupError(f"cannot start the browser: {e}") from e
        with browser:  # started above; closed (process group killed) on the way out
            w = Walk(args, tap, browser)
            try:
                w.u = browser.new_page()
            except cdp.CDPError as e:
                raise SetupError(f"cannot open a page: {e}") from e
            run_steps(w)
    except SetupError as e:
        print(f"Bail out! {str(e).splitlines()[0]}", flush=True)
        print(f"walk.py: setup error: {e}", file=sys.stderr)
        return SETUP_ERROR
    except KeyboardInterrupt as e:
        print(f"Bail out! interrupted ({e})", flush=True)
        return SETUP_ERROR
    tap.plan()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
