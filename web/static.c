/*
 * static — the workbench's two files, compiled in: its style sheet and
 * its small script (keyboard: j/k move through the work list, Enter opens
 * the claim, r goes to the first decision form).  Everything works without
 * the script; nothing is loaded from anywhere else.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "report/report.h"
#include "web/web.h"

static const char style[] =
	":root{--ink:#1b1b1b;--muted:#555;--line:#c8c8c8;--accent:#0b5cad;"
	"--bad:#a40000;--warn:#7a4d00;--ok:#1d6b2a}\n"
	"body{font:15px/1.45 system-ui,sans-serif;color:var(--ink);margin:0}\n"
	"header{display:flex;gap:1em;align-items:center;padding:.5em 1em;"
	"border-bottom:1px solid var(--line)}\n"
	"header .home{font-weight:600;color:var(--ink);text-decoration:none;"
	"margin-right:auto}\n"
	"header form{margin:0}\n"
	"main{padding:1em;max-width:78em}\n"
	"label{display:inline-block;margin:0 .8em .4em 0}\n"
	"input,select,textarea,button{font:inherit}\n"
	"button{border:1px solid var(--accent);background:var(--accent);"
	"color:#fff;padding:.2em .8em;border-radius:3px;cursor:pointer}\n"
	"a{color:var(--accent)}\n"
	":focus-visible{outline:3px solid #f0a500;outline-offset:2px}\n"
	"table{border-collapse:collapse;margin:.5em 0 1em}\n"
	"caption{text-align:left;font-weight:600}\n"
	"th,td{border-bottom:1px solid var(--line);padding:.25em .6em;"
	"text-align:left;vertical-align:top}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"#work-list td:nth-child(2),#work-list td:nth-child(9),"
	"#work-list td:nth-child(11),#work-list td:last-child{"
	"white-space:nowrap}\n"
	"tr.current{background:#e8f0fb;outline:2px solid var(--accent)}\n"
	".codes{display:flex;gap:2em;flex-wrap:wrap}\n"
	"dl.facts{display:grid;grid-template-columns:max-content auto;"
	"gap:.1em 1em}\n"
	"dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}\n"
	".finding{border:1px solid var(--line);border-radius:4px;"
	"padding:.3em 1em;margin:.8em 0}\n"
	".finding h3{margin:.3em 0;font-size:1em}\n"
	".sev{padding:0 "
	".4em;border-radius:3px;color:#fff;background:var(--muted)}\n"
	".sev-error{background:var(--bad)}.sev-warning{background:var(--warn)}"
	"\n"
	".decision{color:var(--ok)}\n"
	".error,.conflict{color:var(--bad);font-weight:600}\n"
	"svg{max-width:100%;height:auto}\n"
	".vh{position:absolute;width:1px;height:1px;overflow:hidden;"
	"clip:rect(0 0 0 0)}\n"
	"fieldset{border:1px solid var(--line);margin:1em 0}\n"
	"section.work form{margin:.4em 0}\n"
	"#buckets{display:flex;flex-wrap:wrap;align-items:flex-start;"
	"gap:0 1.5em;font-size:.9em}\n"
	"#buckets table{margin:.3em 0}\n"
	"#views{font-size:.9em}#views h2{font-size:1em;margin:.5em 0 .2em}\n"
	"#views ul{list-style:none;padding:0;margin:0;display:flex;"
	"flex-wrap:wrap;gap:.3em 1.2em}\n"
	"#views form{display:inline;margin-left:.3em}\n"
	"#views .view-delete button{font-size:.8em;padding:0 .4em}\n"
	"@media print{header form,form.decide,#filters{display:none}"
	"body{font-size:11pt}}\n";

static const char script[] =
	"'use strict';\n"
	"(function () {\n"
	"  var rows = Array.prototype.slice.call(\n"
	"    document.querySelectorAll('#work-list tbody tr'));\n"
	"  var cur = -1;\n"
	"  function move(i) {\n"
	"    if (!rows.length) return;\n"
	"    i = Math.max(0, Math.min(rows.length - 1, i));\n"
	"    if (cur >= 0) rows[cur].classList.remove('current');\n"
	"    cur = i;\n"
	"    rows[cur].classList.add('current');\n"
	"    rows[cur].scrollIntoView({block: 'nearest'});\n"
	"  }\n"
	"  function typing(e) {\n"
	"    var t = e.target.tagName;\n"
	"    return t === 'INPUT' || t === 'SELECT' || t === 'TEXTAREA';\n"
	"  }\n"
	"  document.addEventListener('keydown', function (e) {\n"
	"    if (e.altKey || e.ctrlKey || e.metaKey || typing(e)) return;\n"
	"    if (e.key === 'j') move(cur + 1);\n"
	"    else if (e.key === 'k') move(cur - 1);\n"
	"    else if (e.key === 'Enter' && cur >= 0) {\n"
	"      var a = rows[cur].querySelector('a.open');\n"
	"      if (a) window.location.href = a.href;\n"
	"    } else if (e.key === 'r') {\n"
	"      var s = document.querySelector('form.decide select');\n"
	"      if (s) { s.focus(); e.preventDefault(); }\n"
	"    } else return;\n"
	"  });\n"
	"})();\n";

/* A claim form with a check mark, in the page's accent colour. */
static const char icon[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">"
	"<rect x=\"2\" y=\"1\" width=\"12\" height=\"14\" rx=\"1\" "
	"fill=\"#0b5cad\"/><path d=\"M5 8.5l2 2 4-5\" stroke=\"#fff\" "
	"stroke-width=\"1.6\" fill=\"none\"/></svg>\n";

/* The dashboard's additions to the report's own style sheet: the
 * workbench's header and the filters. */
static const char dashboard_style[] =
	"header.nav{display:flex;gap:1em;align-items:center;"
	"margin:0 auto 12px;max-width:1400px}\n"
	"header.nav .home{font-weight:600;color:#111827;text-decoration:none;"
	"margin-right:auto}\nheader.nav form{margin:0}\n"
	"#dash-filters{max-width:1400px;margin:0 auto 8px}\n"
	"#dash-filters label{margin-right:.8em}\n"
	"svg.chart a rect:hover{opacity:.8}\n"
	"@media print{header.nav,#dash-filters{display:none}}\n";

/* Each file: its path, type and its parts, sent one after the other. */
static const struct {
	const char *path, *type;
	const char *parts[2];
} files[] = {
	{"/static/style.css", "text/css; charset=utf-8", {style, NULL}},
	{"/static/report.css",
	 "text/css; charset=utf-8",
	 {rpt_html_css, dashboard_style}},
	{"/static/app.js", "text/javascript; charset=utf-8", {script, NULL}},
	{"/static/icon.svg", "image/svg+xml", {icon, NULL}},
	/* pages without a <link rel="icon"> (the dashboard's report) */
	{"/favicon.ico", "image/svg+xml", {icon, NULL}},
};

static void
send_file(struct wreq *r, size_t i)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	for (size_t k = 0; out && k < 2 && files[i].parts[k]; k++)
		fputs(files[i].parts[k], out);
	if (!out || fclose(out) != 0 || !buf)
		wreq_error(r, 500, "Error", "out of memory");
	else
		wreq_send(r, 200, files[i].type, buf, len, NULL);
	free(buf);
}

void
static_page(struct evhttp_request *req, void *arg)
{
	struct wreq *r = wreq_new(arg, req);
	if (!r)
		return;
	const char *path =
		evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	size_t i = 0;
	while (i < sizeof(files) / sizeof(*files) &&
	       strcmp(files[i].path, path))
		i++;
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD)
		wreq_error(r, 405, "Method not allowed", "GET only.");
	else if (i == sizeof(files) / sizeof(*files))
		wreq_error(r, 404, "Not found", "No such file.");
	else
		send_file(r, i);
	wreq_free(r);
}
