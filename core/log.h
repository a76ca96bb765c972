/* Logging: one line per message on stderr, with time and level; the access log is separate (http.c). */
#ifndef VOCD_LOG_H
#define VOCD_LOG_H

enum vocd_log_level { VOCD_LOG_ERROR, VOCD_LOG_WARN, VOCD_LOG_INFO, VOCD_LOG_DEBUG };

/** \brief Messages above \p level are dropped. Default: VOCD_LOG_INFO (VOCD_LOG env: error|warn|info|debug). */
void vocd_log_set_level(enum vocd_log_level level);

/** \brief Writes one log line; thread-safe. */
void vocd_log(enum vocd_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define vocd_error(...) vocd_log(VOCD_LOG_ERROR, __VA_ARGS__)
#define vocd_warn(...) vocd_log(VOCD_LOG_WARN, __VA_ARGS__)
#define vocd_info(...) vocd_log(VOCD_LOG_INFO, __VA_ARGS__)
#define vocd_debug(...) vocd_log(VOCD_LOG_DEBUG, __VA_ARGS__)

/** \brief Logs and aborts: for states the code must never reach. */
#define vocd_panic(...) \
	do { \
		vocd_log(VOCD_LOG_ERROR, "panic at %s:%d", __FILE__, __LINE__); \
		vocd_log(VOCD_LOG_ERROR, __VA_ARGS__); \
		abort(); \
	} while (0)

#endif
