"""a11y.py - the walk's own accessibility check (axe-core is not in Debian).

    import a11y
    problems = a11y.audit(page)     # page: a cdp.Page showing the document
    # [] when none; else one line each, "check: element: measure"

A subset of WCAG 2.1 A/AA, the rules that axe-core rates serious or
critical, read from the page's DOM (two Runtime.evaluate calls) and from
Chromium's accessibility tree (Accessibility.getFullAXTree):

  lang, title     <html lang> present and not empty; a non-empty <title>
  h1              exactly one <h1> (display:none ones are not counted)
  heading order   no level skipped going down (h1 then h3); role=heading
                  with aria-level counts as its level
  name            every input (but type=hidden), select, textarea, button
                  (and role=button), link (a[href], role=link) and
                  svg[role=img] has a non-empty accessible name, as the
                  browser computes it (the AX node's name.value); elements
                  the tree leaves out or ignores (display:none, aria-hidden)
                  are not checked
  img alt         every <img> has an alt attribute (alt="" is decorative)
  ids             no id used twice in the document
  contrast        every visible element with text of its own (a direct
                  non-blank text node): its computed color against the
                  effective background (its own and its ancestors'
                  background-color composited, white under the root) has a
                  WCAG contrast ratio of at least 4.5:1, or 3:1 for large
                  text (24px, or 18.66px and bold).  Not checked: text inside
                  <svg>, <option>, disabled controls, elements of 1px or
                  less (visually hidden), and text over a background-image
                  (its colour cannot be known from the styles)
  tabindex        no positive tabindex anywhere
  table caption   every <table> (but role=presentation/none) has a non-empty
                  <caption>, aria-label or aria-labelledby
  table th        every <th> has a scope (row, col, rowgroup, colgroup) or
                  is inside <thead>

An element is named as tag#id.class (its [name], [href], [src] or [role]
when it has no id) and the start of its text.  audit() only reads the page;
it disables the Accessibility and DOM domains again when it is done (cdp.py
uses neither).  The tree of a large page takes a while (6.5 s for a table
of 3,000 rows of 9 cells): its calls may take 3 times the page's timeout.
"""

# The element description, shared by the scripts below (an arrow function).
_DESCRIBE_JS = r"""el => {
    let s = el.localName;
    if (el.id) s += '#' + el.id;
    const cls = el.getAttribute('class') || '';
    for (const c of cls.split(/\s+/).filter(Boolean).slice(0, 3)) s += '.' + c;
    if (!el.id) {
        const a = ['name', 'href', 'src', 'role'].find(a => el.hasAttribute(a));
        if (a) s += '[' + a + '=' + JSON.stringify(el.getAttribute(a).slice(0, 40)) + ']';
    }
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim();
    if (text) s += ' ' + JSON.stringify(text.length > 40 ? text.slice(0, 39) + '\u2026' : text);
    return s;
}"""

# Checks lang/title/h1/heading order, img alt, ids, tabindex and tables;
# an object of problem lists, one per check.
_STRUCTURE_JS = r"""(() => {
    const describe = %(describe)s;
    const out = {document: [], headings: [], alt: [], ids: [], tabindex: [], tables: []};
    const shown = el => el.checkVisibility ? el.checkVisibility()
                                           : el.getClientRects().length > 0;

    const lang = document.documentElement.getAttribute('lang');
    if (lang === null) out.document.push('lang: <html> has no lang attribute');
    else if (!lang.trim()) out.document.push('lang: <html lang> is empty');
    if (!document.title.trim()) {
        const t = [...document.getElementsByTagName('title')]
            .some(t => t.namespaceURI === 'http://www.w3.org/1999/xhtml');
        out.document.push(t ? 'title: <title> is empty' : 'title: the document has no <title>');
    }

    const h1s = [...document.querySelectorAll('h1')].filter(shown);
    if (h1s.length !== 1)
        out.document.push('h1: ' + h1s.length + ' <h1> elements, need exactly 1' +
                          (h1s.length ? ': ' + h1s.map(describe).join(', ') : ''));
    let prev = null;
    for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading]')) {
        const role = (h.getAttribute('role') || '').trim().toLowerCase();
        if ((role && role !== 'heading') || !shown(h)) continue;
        const aria = parseInt(h.getAttribute('aria-level'), 10);
        const level = aria > 0 ? aria : /^h[1-6]$/.test(h.localName) ? +h.localName[1] : 2;
        if (prev !== null && level > prev + 1)
            out.headings.push('heading order: ' + describe(h) + ': level ' + level +
                              ' follows level ' + prev + ' (skips ' +
                              Array.from({length: level - prev - 1},
                                         (_, i) => 'h' + (prev + 1 + i)).join(', ') + ')');
        prev = level;
    }

    for (const img of document.querySelectorAll('img:not([alt])'))
        out.alt.push('img alt: ' + describe(img) + ': no alt attribute');

    const byId = new Map();
    for (const el of document.querySelectorAll('[id]')) {
        const id = el.getAttribute('id');
        if (id) byId.set(id, [...(byId.get(id) || []), el]);
    }
    for (const [id, els] of byId)
        if (els.length > 1)
            out.ids.push('ids: id ' + JSON.stringify(id) + ' is used ' + els.length +
                         ' times: ' + els.slice(0, 5).map(describe).join(', '));

    for (const el of document.querySelectorAll('[tabindex]')) {
        const v = parseInt(el.getAttribute('tabindex'), 10);
        if (v > 0)
            out.tabindex.push('tabindex: ' + describe(el) + ': tabindex=' + v +
                              ' (positive: changes the focus order)');
    }

    const textOf = ids => (ids || '').split(/\s+/).filter(Boolean)
        .map(id => { const e = document.getElementById(id); return e ? e.textContent : ''; })
        .join(' ').trim();
    for (const t of document.querySelectorAll('table')) {
        const role = (t.getAttribute('role') || '').trim().toLowerCase();
        if (role === 'presentation' || role === 'none') continue;
        const caption = t.caption ? t.caption.textContent.trim() : null;
        const label = (t.getAttribute('aria-label') || '').trim() ||
                      textOf(t.getAttribute('aria-labelledby'));
        if (!caption && !label)
            out.tables.push('table caption: ' + describe(t) + ': ' +
                            (caption === '' ? '<caption> is empty and no aria-label'
                                            : 'no <caption> or aria-label'));
        for (const th of t.querySelectorAll('th')) {
            if (th.closest('table') !== t) continue;
            const scope = th.getAttribute('scope');
            const inHead = th.parentElement && th.parentElement.parentElement &&
                           th.parentElement.parentElement.localName === 'thead';
            if (inHead) continue;
            if (scope === null)
                out.tables.push('table th: ' + describe(th) + ' in ' + describe(t).split(' ')[0] +
                                ': no scope and not in <thead>');
            else if (!['row', 'col', 'rowgroup', 'colgroup'].includes(scope.trim().toLowerCase()))
                out.tables.push('table th: ' + describe(th) + ' in ' + describe(t).split(' ')[0] +
                                ': scope=' + JSON.stringify(scope) +
                                ' is not row, col, rowgroup or colgroup');
        }
    }
    return out;
})()"""

# Colour contrast, in one evaluation: the failures as
# {element, fg, bg, ratio, need, size, weight}.
_CONTRAST_JS = r"""(() => {
    const describe = %(describe)s;
    const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
    const n = '\\s*([\\d.]+)';
    const rgb = new RegExp('^rgba?\\(' + n + '[,\\s]' + n + '[,\\s]' + n +
                           '\\s*(?:[,/]' + n + '(%%?))?\\s*\\)$');
    const parse = css => {
        const m = rgb.exec(css);
        if (m) {
            const a = m[4] === undefined ? 1 : m[5] ? m[4] / 100 : +m[4];
            return [+m[1], +m[2], +m[3], a];
        }
        if (css === 'transparent') return [0, 0, 0, 0];
        // another colour space (color(), oklch(), ...): let a canvas convert it
        ctx.clearRect(0, 0, 1, 1);
        ctx.fillStyle = '#000';
        ctx.fillStyle = css;
        ctx.fillRect(0, 0, 1, 1);
        const d = ctx.getImageData(0, 0, 1, 1).data;
        return [d[0], d[1], d[2], d[3] / 255];
    };
    // `top` painted over the opaque `below`
    const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3]))
        .concat([1]);
    const WHITE = [255, 255, 255, 1];
    const memo = new Map();
    // the opaque colour behind el's content; null if a background-image is in the way
    const background = el => {
        if (!el) return WHITE;
        if (memo.has(el)) return memo.get(el);
        const cs = getComputedStyle(el);
        const c = parse(cs.backgroundColor);
        let bg;
        if (cs.backgroundImage && cs.backgroundImage !== 'none') bg = null;
        else if (c[3] >= 1) bg = c;
        else {
            const below = background(el.parentElement);
            bg = below === null ? null : c[3] > 0 ? over(c, below) : below;
        }
        memo.set(el, bg);
        return bg;
    };
    const lum = c => {
        const [r, g, b] = c.slice(0, 3).map(v => {
            v /= 255;
            return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const hex = c => '#' + c.slice(0, 3)
        .map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
    const skipTags = new Set(['option', 'optgroup', 'script', 'style', 'noscript',
                              'template', 'title', 'head']);
    const failures = [];
    for (const el of document.querySelectorAll('*')) {
        if (skipTags.has(el.localName) || el.closest('svg')) continue;
        if (![...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.data.trim()))
            continue;
        if (el.closest(':disabled, [aria-disabled=true]')) continue;
        if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true,
                                 checkOpacity: true, checkVisibilityCSS: true}))
            continue;
        const rect = el.getBoundingClientRect();
        if (rect.width <= 1 || rect.height <= 1) continue;
        const bg = background(el);
        if (bg === null) continue;
        const cs = getComputedStyle(el);
        let fg = parse(cs.color);
        if (fg[3] === 0) continue;
        if (fg[3] < 1) fg = over(fg, bg);
        const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
        const ratio = (hi + 0.05) / (lo + 0.05);
        const size = parseFloat(cs.fontSize), weight = parseFloat(cs.fontWeight) || 400;
        const large = size >= 24 || (weight >= 700 && size >= 18.66);
        const need = large ? 3 : 4.5;
        if (ratio < need)
            failures.push({element: describe(el), fg: hex(fg), bg: hex(bg),
                           ratio: Math.floor(ratio * 100) / 100, need,
                           size: Math.round(size * 100) / 100, weight});
    }
    return failures;
})()"""

# Elements that need an accessible name: (localName, attributes) -> what
# they are, or None.
_NAMED_ROLES = {"button": "button", "link": "link"}


def _needs_name(tag, attrs):
    role = (attrs.get("role") or "").split()
    role = role[0].lower() if role else ""
    if tag == "input":
        return None if (attrs.get("type") or "").strip().lower() == "hidden" else "form control"
    if tag in ("select", "textarea"):
        return "form control"
    if tag == "button":
        return "button"
    if tag == "a" and "href" in attrs:
        return "link"
    if tag == "svg" and role == "img":
        return "svg image"
    return _NAMED_ROLES.get(role)


def _elements(root):
    """The element nodes of a DOM.getDocument tree, in document order."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.get("nodeType") == 1:
            yield node
        stack.extend(reversed(node.get("children") or []))


def _describe(page, backend_id, fallback):
    """The description of a DOM node (by backend id), as the scripts give it."""
    try:
        obj = page.call("DOM.resolveNode", {"backendNodeId": backend_id,
                                            "objectGroup": "a11y"})["object"]
        res = page.call("Runtime.callFunctionOn", {
            "objectId": obj["objectId"], "returnByValue": True,
            "functionDeclaration": "function () { return (%s)(this); }" % _DESCRIBE_JS})
        return res["result"].get("value") or fallback
    except Exception:  # noqa: BLE001 - the node went away: its tag will do
        return fallback


def _unnamed(page):
    """Controls, buttons, links and svg images with no accessible name."""
    problems = []
    page.call("Accessibility.enable")
    try:
        slow = 3 * page.timeout
        ax_nodes = page.call("Accessibility.getFullAXTree", timeout=slow)["nodes"]
        root = page.call("DOM.getDocument", {"depth": -1}, timeout=slow)["root"]
        ax = {}
        for n in ax_nodes:
            if "backendDOMNodeId" in n and not n.get("ignored"):
                ax.setdefault(n["backendDOMNodeId"], n)
        for el in _elements(root):
            tag = (el.get("localName") or el.get("nodeName", "")).lower()
            flat = el.get("attributes") or []
            attrs = dict(zip(flat[::2], flat[1::2]))
            what = _needs_name(tag, attrs)
            node = ax.get(el.get("backendNodeId")) if what else None
            if node is None:  # not one to name, or not in the tree (not rendered)
                continue
            name = str((node.get("name") or {}).get("value") or "").strip()
            if not name:
                role = (node.get("role") or {}).get("value", "?")
                desc = _describe(page, el["backendNodeId"], tag)
                problems.append(f"name: {desc}: {what} (role {role}) has an empty "
                                "accessible name")
    finally:
        for method, params in (("Runtime.releaseObjectGroup", {"objectGroup": "a11y"}),
                               ("Accessibility.disable", None), ("DOM.disable", None)):
            try:
                page.call(method, params)
            except Exception:  # noqa: BLE001 - cleanup; the first error is the one
                pass
    return problems


def _contrast(page):
    problems = []
    for f in page.eval(_CONTRAST_JS % {"describe": _DESCRIBE_JS}):
        kind = "large" if f["need"] == 3 else "normal"
        problems.append(
            f"contrast: {f['element']}: {f['fg']} on {f['bg']} is {f['ratio']:.2f}:1, "
            f"needs {f['need']:g}:1 ({kind} text, {f['size']:g}px weight {f['weight']:g})")
    return problems


def audit(page):
    """The serious accessibility problems of the page's current document, as
    one line each ("check: element: measure"); an empty list when none."""
    s = page.eval(_STRUCTURE_JS % {"describe": _DESCRIBE_JS})
    return (s["document"] + s["headings"] + _unnamed(page) + s["alt"] + s["ids"]
            + _contrast(page) + s["tabindex"] + s["tables"])
