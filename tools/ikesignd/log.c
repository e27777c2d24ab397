/*
 * log.c -- ikesignd's log: stderr in the foreground (-d), else syslog, or
 * a sink a process sets instead of syslog (the network process's lines
 * go to the parent: logrelay.c).  Lines are "LEVEL: message"; debug
 * lines only with -v.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "ikesignd.h"

static int log_fg = 1;
static int log_verbose;
static void (*log_sink)(int, const char *);

void
log_init(int foreground, int verbose)
{
	log_fg = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog("ikesignd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/*
 * Outside the foreground, lines go to SINK instead of syslog from now on,
 * and this process's syslog socket is closed.
 */
void
log_set_sink(void (*sink)(int pri, const char *line))
{
	if (log_fg)
		return;
	log_sink = sink;
	closelog();
}

static const char *
level_of(int pri)
{
	switch (pri) {
	case LOG_WARNING:
		return "warning: ";
	case LOG_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

/* One line, formatted already, at priority PRI. */
void
log_line(int pri, const char *line)
{
	struct timespec ts;
	struct tm tm;

	if (!log_fg) {
		if (log_sink != NULL)
			log_sink(pri, line);
		else
			syslog(pri, "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld ikesignd: %s%s\n", tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, level_of(pri), line);
	fflush(stderr);
}

static void
vlog(int pri, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char buf[LOG_LINE_MAX];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_line(pri, buf);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}
