/*
 * log.c -- ikesignd's log: stderr in the foreground (-d), else syslog.
 * Lines are "LEVEL: message"; debug lines only with -v.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "ikesignd.h"

static int log_fg = 1;
static int log_verbose;

void
log_init(int foreground, int verbose)
{
	log_fg = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog("ikesignd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
vlog(int pri, const char *level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
vlog(int pri, const char *level, const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!log_fg) {
		syslog(pri, "%s", buf);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld ikesignd: %s%s\n", tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, level, buf);
	fflush(stderr);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, "debug: ", fmt, ap);
	va_end(ap);
}
