/* QR codes of survey links: libqrencode makes the module matrix, we draw it as SVG or PNG (libpng's
 * simplified API, which reports errors by return value rather than longjmp). */
#include "qr.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "error.h"

/* The matrix of \p text; errors as vocd codes. */
static int encode(const char *text, QRcode **out)
{
	*out = NULL;
	size_t n = text ? strlen(text) : 0;
	if (n == 0 || n > VOCD_QR_MAX_TEXT)
		return VOCD_EINVAL;
	/* encodeData: every byte in 8-bit mode, so a URL's case and punctuation come back exactly. */
	errno = 0;
	QRcode *qr = QRcode_encodeData((int)n, (const unsigned char *)text, 0, QR_ECLEVEL_M);
	if (!qr)
		return errno == ENOMEM ? VOCD_ENOMEM : VOCD_EINVAL;
	*out = qr;
	return 0;
}

static int dark(const QRcode *qr, int x, int y)
{
	return qr->data[(size_t)y * (size_t)qr->width + (size_t)x] & 1;
}

unsigned vocd_qr_png_scale(unsigned modules)
{
	unsigned side = modules + 2 * VOCD_QR_QUIET;
	unsigned scale = (VOCD_QR_PNG_TARGET + side / 2) / side;
	return scale < 2 ? 2 : scale;
}

int vocd_qr_svg(const char *text, struct vocd_buf *out)
{
	QRcode *qr;
	int rc = encode(text, &qr);
	if (rc != 0)
		return rc;
	int side = qr->width + 2 * VOCD_QR_QUIET;
	unsigned px = (unsigned)side * vocd_qr_png_scale((unsigned)qr->width);
	vocd_buf_printf(out,
	                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 %d %d\" width=\"%u\" "
	                "height=\"%u\" shape-rendering=\"crispEdges\">\n"
	                "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
	                "<path fill=\"#000\" d=\"",
	                side, side, px, px, side, side);
	/* One rectangle per horizontal run of dark modules: a few hundred short subpaths for a link. */
	for (int y = 0; y < qr->width; y++) {
		for (int x = 0; x < qr->width;) {
			if (!dark(qr, x, y)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < qr->width && dark(qr, x + run, y))
				run++;
			vocd_buf_printf(out, "M%d %dh%dv1h-%dz", x + VOCD_QR_QUIET, y + VOCD_QR_QUIET, run, run);
			x += run;
		}
	}
	vocd_buf_puts(out, "\"/>\n</svg>\n");
	QRcode_free(qr);
	return out->oom ? VOCD_ENOMEM : 0;
}

int vocd_qr_png(const char *text, unsigned char **png, size_t *len)
{
	*png = NULL;
	*len = 0;
	QRcode *qr;
	int rc = encode(text, &qr);
	if (rc != 0)
		return rc;
	unsigned scale = vocd_qr_png_scale((unsigned)qr->width);
	unsigned side = ((unsigned)qr->width + 2 * VOCD_QR_QUIET) * scale;
	unsigned char *pixels = malloc((size_t)side * side);
	if (!pixels) {
		QRcode_free(qr);
		return VOCD_ENOMEM;
	}
	memset(pixels, 0xff, (size_t)side * side);
	for (int y = 0; y < qr->width; y++) {
		for (int x = 0; x < qr->width; x++) {
			if (!dark(qr, x, y))
				continue;
			for (unsigned dy = 0; dy < scale; dy++) {
				size_t row = ((size_t)(y + VOCD_QR_QUIET) * scale + dy) * side;
				memset(pixels + row + (size_t)(x + VOCD_QR_QUIET) * scale, 0, scale);
			}
		}
	}
	QRcode_free(qr);

	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = side;
	img.height = side;
	img.format = PNG_FORMAT_GRAY;
	png_alloc_size_t need = 0;
	/* First call with no memory: libpng says how much the image needs. */
	if (!png_image_write_to_memory(&img, NULL, &need, 0, pixels, (png_int_32)side, NULL) || need == 0) {
		png_image_free(&img);
		free(pixels);
		return VOCD_EINTERNAL;
	}
	unsigned char *mem = malloc(need);
	if (!mem) {
		free(pixels);
		return VOCD_ENOMEM;
	}
	if (!png_image_write_to_memory(&img, mem, &need, 0, pixels, (png_int_32)side, NULL)) {
		png_image_free(&img);
		free(pixels);
		free(mem);
		return VOCD_EINTERNAL;
	}
	free(pixels);
	*png = mem;
	*len = need;
	return 0;
}
