/*
 * Logging to stderr (the web server's error log, the journal under systemd).
 * Lines read "ossign[pid]: function: message".  Never pass a secret, a
 * security token, a signing key or a full signature.
 */
#ifndef OSSIGN_OLOG_H
#define OSSIGN_OLOG_H

enum olog_level { OLOG_ERR, OLOG_WARN, OLOG_INFO, OLOG_DEBUG };

void	olog_set_level(enum olog_level);
void	olog(enum olog_level, const char *func, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#define olog_err(...)	olog(OLOG_ERR, __func__, __VA_ARGS__)
#define olog_warn(...)	olog(OLOG_WARN, __func__, __VA_ARGS__)
#define olog_info(...)	olog(OLOG_INFO, __func__, __VA_ARGS__)
#define olog_debug(...)	olog(OLOG_DEBUG, __func__, __VA_ARGS__)

#endif /* OSSIGN_OLOG_H */
