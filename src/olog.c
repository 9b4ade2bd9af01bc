/* stderr logging; see olog.h. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "olog.h"

static enum olog_level olog_level = OLOG_INFO;

void
olog_set_level(enum olog_level level)
{
	olog_level = level;
}

void
olog(enum olog_level level, const char *func, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	size_t i;

	if (level > olog_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line per message, whatever a peer put in it. */
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	fprintf(stderr, "ossign[%ld]: %s: %s\n", (long)getpid(), func, msg);
}
