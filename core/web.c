/* The dashboard's page and its files (web/, embedded at build time): GET /dashboard and GET /assets/<name>.
 * The page holds no data; its script reads the API with the signed-in session (or a token), so what each
 * person sees is what the API lets them see. Scripts only from this server: no inline script may run. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "embedded.h"

static const struct vocd_embedded_file *web_file(const char *name)
{
	for (const struct vocd_embedded_file *f = vocd_web_files; f->path; f++) {
		const char *base = strrchr(f->path, '/');
		if (strcmp(base ? base + 1 : f->path, name) == 0)
			return f;
	}
	return NULL;
}

static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (dot && strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	return "text/html; charset=utf-8";
}

int vocd_web_dashboard(struct vocd_req *req)
{
	const struct vocd_embedded_file *f = web_file("dashboard.html");
	static const char headers[] =
		"Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'\r\n"
		"Cache-Control: no-store\r\n";
	vocd_http_text_with(req, 200, "text/html; charset=utf-8", headers, f->text, f->len);
	return 0;
}

int vocd_web_asset(struct vocd_req *req)
{
	const struct vocd_embedded_file *f = web_file(req->params[0]);
	if (!f || strcmp(req->params[0], "dashboard.html") == 0) {
		vocd_http_error(req, 404, "not_found", "no asset %s", req->params[0]);
		return 0;
	}
	vocd_http_text_with(req, 200, type_of(req->params[0]), "Cache-Control: public, max-age=3600\r\n", f->text, f->len);
	return 0;
}
