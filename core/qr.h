/* QR codes of survey links, as PNG (to print or show on a counter screen) and SVG (to scale in a page or a
 * print layout), made with libqrencode: error correction level M, the whole text in 8-bit mode, a quiet
 * zone of VOCD_QR_QUIET light modules on every side. */
#ifndef VOCD_QR_H
#define VOCD_QR_H

#include <stddef.h>

#include "buf.h"

/** Light modules around the symbol, as the QR standard asks for. */
#define VOCD_QR_QUIET 4
/** Longest text encoded, in bytes (a survey link is far shorter; this keeps symbols scannable). */
#define VOCD_QR_MAX_TEXT 1000
/** The PNG is about this many pixels wide: whole pixels per module, the nearest to it, at least 2. */
#define VOCD_QR_PNG_TARGET 300

/**
 * \brief Appends the QR code of \p text to \p out as an SVG document: a viewBox of (modules + 2 * quiet
 * zone) units square, one unit per module, a white background and one black path, crisp edges.
 * \return 0, VOCD_EINVAL (\p text empty or longer than VOCD_QR_MAX_TEXT), VOCD_ENOMEM. On an error \p out
 *         may hold part of the document; the caller frees it with vocd_buf_free in every case.
 */
int vocd_qr_svg(const char *text, struct vocd_buf *out);

/**
 * \brief The QR code of \p text as a PNG image (8-bit greyscale, black on white, square).
 * \param png receives the image, malloc'd: the caller frees it. NULL on an error.
 * \param len receives its size in bytes.
 * \return 0, VOCD_EINVAL (\p text empty or longer than VOCD_QR_MAX_TEXT), VOCD_ENOMEM, VOCD_EINTERNAL
 *         (libpng refused).
 */
int vocd_qr_png(const char *text, unsigned char **png, size_t *len);

/** \brief Pixels per module in the PNG of a symbol \p modules wide (without the quiet zone). */
unsigned vocd_qr_png_scale(unsigned modules);

#endif
