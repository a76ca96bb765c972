/* QR codes: the SVG and the PNG both draw libqrencode's level-M matrix exactly, with the quiet zone, at the
 * documented size; bad input is refused. (Decoding with a real scanner is in tests/e2e/test_qr.py.) Also
 * the invitation link the codes carry (vocd_invitation_url). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "error.h"
#include "invitation.h"
#include "qr.h"

static const char URL[] = "https://127.0.0.1:8443/s/acme.0123456789abcdef.1795000000.AbCdEfGhIjKlMnOpQrStUv";

/* The reference matrix: libqrencode, level M, 8-bit mode. */
static QRcode *reference(const char *text, QRecLevel level)
{
	QRcode *qr = QRcode_encodeData((int)strlen(text), (const unsigned char *)text, 0, level);
	assert_non_null(qr);
	return qr;
}

/* Reads the SVG's path ("M x yh n v1h-n z" per run) into a side x side matrix of 0/1; fails on anything
 * else, on runs outside the picture and on runs that overlap. */
static unsigned char *svg_matrix(const char *svg, int side)
{
	const char *d = strstr(svg, " d=\"");
	assert_non_null(d);
	d += 4;
	unsigned char *m = calloc((size_t)side * side, 1);
	assert_non_null(m);
	while (*d != '"') {
		int x, y, n, n2, used = 0;
		assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used), 4);
		assert_true(used > 0);
		assert_int_equal(n, n2);
		assert_true(x >= 0 && y >= 0 && n > 0 && x + n <= side && y < side);
		for (int i = 0; i < n; i++) {
			assert_int_equal(m[y * side + x + i], 0);
			m[y * side + x + i] = 1;
		}
		d += used;
	}
	return m;
}

/* Whether \p m (side x side, quiet zone included) is exactly the symbol of \p qr inside a light border. */
static void assert_same_symbol(const unsigned char *m, int side, const QRcode *qr)
{
	assert_int_equal(side, qr->width + 2 * VOCD_QR_QUIET);
	for (int y = 0; y < side; y++)
		for (int x = 0; x < side; x++) {
			int in = x >= VOCD_QR_QUIET && y >= VOCD_QR_QUIET && x < VOCD_QR_QUIET + qr->width &&
			         y < VOCD_QR_QUIET + qr->width;
			int want = in ? qr->data[(y - VOCD_QR_QUIET) * qr->width + (x - VOCD_QR_QUIET)] & 1 : 0;
			if (m[y * side + x] != want)
				fail_msg("module (%d,%d): got %d, want %d", x, y, m[y * side + x], want);
		}
}

static void svg_is_the_symbol(void **state)
{
	struct vocd_buf b = {0};
	assert_int_equal(vocd_qr_svg(URL, &b), 0);
	assert_false(b.oom);
	QRcode *qr = reference(URL, QR_ECLEVEL_M);
	int side = qr->width + 2 * VOCD_QR_QUIET;
	unsigned px = (unsigned)side * vocd_qr_png_scale((unsigned)qr->width);

	/* Well-formed: the prolog, one root element closed at the end, one path, every tag closed. */
	assert_true(strncmp(b.p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
	assert_true(b.len == strlen(b.p));
	assert_string_equal(b.p + b.len - 7, "</svg>\n");
	char expect[160];
	snprintf(expect, sizeof expect, "viewBox=\"0 0 %d %d\" width=\"%u\" height=\"%u\"", side, side, px, px);
	assert_non_null(strstr(b.p, expect));
	assert_non_null(strstr(b.p, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(b.p, "shape-rendering=\"crispEdges\""));
	const char *path = strstr(b.p, "<path");
	assert_non_null(path);
	assert_null(strstr(path + 1, "<path"));
	int open = 0, close = 0;
	for (const char *p = b.p; *p; p++) {
		open += *p == '<';
		close += *p == '>';
	}
	assert_int_equal(open, close);
	assert_int_equal(open, 5); /* <?xml?>, <svg>, <rect/>, <path/>, </svg> */

	unsigned char *m = svg_matrix(b.p, side);
	assert_same_symbol(m, side, qr);
	/* Level M, not L: the two symbols of this link differ. */
	QRcode *low = reference(URL, QR_ECLEVEL_L);
	assert_true(low->width != qr->width ||
	            memcmp(low->data, qr->data, (size_t)qr->width * qr->width) != 0);
	QRcode_free(low);
	free(m);
	QRcode_free(qr);
	vocd_buf_free(&b);
}

/* Decodes a PNG to 8-bit grey pixels with libpng (caller frees). */
static unsigned char *decode_png(const unsigned char *png, size_t len, unsigned *w, unsigned *h)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_memory(&img, png, len));
	img.format = PNG_FORMAT_GRAY;
	unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
	assert_non_null(px);
	assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));
	*w = img.width;
	*h = img.height;
	return px;
}

static void png_is_the_symbol(void **state)
{
	unsigned char *png = NULL;
	size_t len = 0;
	assert_int_equal(vocd_qr_png(URL, &png, &len), 0);
	assert_non_null(png);
	assert_true(len > 100 && len < 20000);
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	assert_memory_equal(png, sig, 8);

	unsigned w, h;
	unsigned char *px = decode_png(png, len, &w, &h);
	QRcode *qr = reference(URL, QR_ECLEVEL_M);
	int side = qr->width + 2 * VOCD_QR_QUIET;
	unsigned scale = vocd_qr_png_scale((unsigned)qr->width);
	assert_int_equal(w, h);
	assert_int_equal(w, (unsigned)side * scale);
	assert_true(w >= 250 && w <= 350); /* "about 300 px" for a survey link */

	/* Every pixel of a module has the module's colour, pure black or pure white. */
	unsigned char *m = calloc((size_t)side * side, 1);
	assert_non_null(m);
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			unsigned char v = px[y * w + x];
			assert_true(v == 0 || v == 255);
			unsigned char *cell = &m[(y / scale) * side + x / scale];
			if (y % scale == 0 && x % scale == 0)
				*cell = v == 0;
			else if (*cell != (v == 0))
				fail_msg("pixel (%u,%u) differs from its module", x, y);
		}
	assert_same_symbol(m, side, qr);
	free(m);
	QRcode_free(qr);
	free(px);
	free(png);
}

static void scale_targets_300_px(void **state)
{
	/* version 1 (21 modules + 8 quiet): 10 px per module, 290 px */
	assert_int_equal(vocd_qr_png_scale(21), 10);
	/* version 6 (41 + 8): 6 px, 294 px */
	assert_int_equal(vocd_qr_png_scale(41), 6);
	/* version 40 (177 + 8): never under 2 px per module, or a scanner cannot read it off a screen */
	assert_int_equal(vocd_qr_png_scale(177), 2);
}

static void bad_text_is_refused(void **state)
{
	struct vocd_buf b = {0};
	unsigned char *png = (unsigned char *)"x";
	size_t len = 7;
	assert_int_equal(vocd_qr_svg("", &b), VOCD_EINVAL);
	assert_int_equal(vocd_qr_svg(NULL, &b), VOCD_EINVAL);
	assert_int_equal(vocd_qr_png("", &png, &len), VOCD_EINVAL);
	assert_null(png);
	assert_int_equal(len, 0);
	assert_int_equal(vocd_qr_png(NULL, &png, &len), VOCD_EINVAL);

	char big[VOCD_QR_MAX_TEXT + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(vocd_qr_svg(big, &b), VOCD_EINVAL);
	assert_int_equal(vocd_qr_png(big, &png, &len), VOCD_EINVAL);
	assert_null(png);
	assert_null(b.p);
	/* The longest allowed text still makes a symbol. */
	big[VOCD_QR_MAX_TEXT] = '\0';
	assert_int_equal(vocd_qr_svg(big, &b), 0);
	assert_int_equal(vocd_qr_png(big, &png, &len), 0);
	assert_non_null(png);
	free(png);
	vocd_buf_free(&b);
}

static void different_links_different_codes(void **state)
{
	struct vocd_buf a = {0}, b = {0};
	assert_int_equal(vocd_qr_svg("https://example.com/s/acme.a", &a), 0);
	assert_int_equal(vocd_qr_svg("https://example.com/s/acme.b", &b), 0);
	assert_string_not_equal(a.p, b.p);
	vocd_buf_free(&a);
	vocd_buf_free(&b);
}

static void invitation_url_is_the_token_link(void **state)
{
	static const unsigned char key[32] = {7, 7, 7};
	struct vocd_tenant_conf t;
	memset(&t, 0, sizeof t);
	t.id = "acme";
	const int64_t exp = 1795000123456;
	struct vocd_invite_claims c = {"acme", "00000000000000a1", exp};
	char token[VOCD_INVITE_TOKEN_MAX], want[512], url[512];
	assert_int_equal(vocd_invite_token_make(key, &c, token), 0);

	/* No base_url: the server's own address. */
	assert_int_equal(vocd_invitation_url(&t, "https://127.0.0.1:8443", key, "00000000000000a1", exp, url, sizeof url), 0);
	snprintf(want, sizeof want, "https://127.0.0.1:8443/s/%s", token);
	assert_string_equal(url, want);
	/* The tenant's base_url wins. */
	t.invitations.base_url = "https://feedback.example.com";
	assert_int_equal(vocd_invitation_url(&t, "https://127.0.0.1:8443", key, "00000000000000a1", exp, url, sizeof url), 0);
	snprintf(want, sizeof want, "https://feedback.example.com/s/%s", token);
	assert_string_equal(url, want);
	/* Does not fit, or not an id: refused, never cut. */
	assert_int_equal(vocd_invitation_url(&t, "", key, "00000000000000a1", exp, url, 40), VOCD_EINVAL);
	assert_int_equal(vocd_invitation_url(&t, "", key, "not an id", exp, url, sizeof url), VOCD_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(svg_is_the_symbol),
		cmocka_unit_test(png_is_the_symbol),
		cmocka_unit_test(scale_targets_300_px),
		cmocka_unit_test(bad_text_is_refused),
		cmocka_unit_test(different_links_different_codes),
		cmocka_unit_test(invitation_url_is_the_token_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
