/* Scheduled reports (report_schedule_conf.h): one durable bus timer per entry of each tenant ("report:<id>"),
 * armed at start and on reload. When it fires, the core's subscriber "core:reports" builds the report for
 * the period just finished as a whole-tenant reader, renders it through the format plugin (report_render.h),
 * stores the file, asks a staff notification with the file attached for each recipient (notify.h), and sets
 * the timer for the next time; all of that in one write, with an audited run record.
 *
 * A run is recorded once per entry and period ("report.run", id "<entry id>.<first day of the period>"): a
 * timer that fires again for a period already done (a crash before the next time was set, a restart) sends
 * nothing. A run that cannot be made (a query refused, a plugin failing, a workbook that cannot be written,
 * a file too big) is recorded as failed with the reason and not retried, and the next period runs as usual;
 * a store that fails, or memory, is retried by the bus (after its last try, the next start or reload sets
 * the timer again). */
#ifndef VOCD_REPORT_SCHEDULE_H
#define VOCD_REPORT_SCHEDULE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "report_render.h"
#include "server.h"
#include "store.h"

/** Durable timer topic: an entry is due. Data {schedule: entry id, due: Unix ms of the time it fell}. */
#define VOCD_REPORT_DUE "report.due"
/** Record type of the runs: {id, schedule, report, format, from, to, due, requested_by?, time, status ("sent" or
 * "failed"), reason?, file? {filename, content_type, size, sha256}, notifications [{person, channel,
 * notification}]}. */
#define VOCD_REPORT_RUN_TYPE "report.run"
/** Record type of the files, the run's id: the bytes as rendered. */
#define VOCD_REPORT_FILE_TYPE "report.file"
/** The largest file kept and sent. */
#define VOCD_REPORT_FILE_MAX (8u << 20)
/** A report due within this long before a start or reload and not made yet is made at once. */
#define VOCD_REPORT_CATCH_UP_MS (24LL * 3600 * 1000)

/**
 * \brief The largest file a run may make under \p cfg: VOCD_REPORT_FILE_MAX, or less when a channel
 * plugin could not carry it (the file travels base64-encoded in a JSON text of at most limits.lua_max_string).
 */
size_t vocd_report_file_max(const struct vocd_config *cfg);

/** \brief Subscribes "core:reports" to VOCD_REPORT_DUE. */
int vocd_report_schedule_start(struct vocd_server *srv);

/**
 * \brief Sets the timer of every entry of every tenant to its next time, or to now when a time within
 * VOCD_REPORT_CATCH_UP_MS has no run yet (the server was down then). At start and after a reload.
 */
int vocd_report_schedule_arm(struct vocd_server *srv);

/**
 * \brief Has entry \p id of \p tenant made now for the period just finished, as if its time had come: its
 * timer set to now (the subscriber runs it within moments, and the next time is set as usual); the run
 * records \p by (the asking admin's token id) as requested_by. Fills
 * \p run (the run's id, 96 bytes) and \p from, \p to. \return 0, VOCD_ENOTFOUND (no such entry), VOCD_EEXIST
 * (that period has a run already: \p run names it), store errors.
 */
int vocd_report_schedule_now(struct vocd_server *srv, const char *tenant, const char *id, const char *by,
                             char run[96], int32_t *from, int32_t *to);

/**
 * \brief The stored file of run \p run, with the name and content type kept with the run (free with
 * vocd_rendered_free). \return 0, VOCD_ENOTFOUND (no such run, or it made no file), VOCD_ENOMEM, store errors.
 */
int vocd_report_file(vocd_store *st, const char *tenant, const char *run, struct vocd_rendered *out);

/**
 * \brief The file of run \p run as a notification's attachment {filename, content_type, content_base64}
 * (caller frees). \return 0, VOCD_ENOTFOUND (no such run, or it has no file), VOCD_ENOMEM, store errors.
 */
int vocd_report_attachment(vocd_store *st, const char *tenant, const char *run, cJSON **out);

#endif
