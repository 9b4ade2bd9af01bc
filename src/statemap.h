/*
 * A fixed-size file in a state directory, mapped shared by every process
 * of the host that opens it (the metrics counters today; issue 11): made
 * whole before any process can see it, never replaced while it is good,
 * and replaced when it breaks statedir's rules or the caller's layout
 * check (another version).  Every update after that is the caller's,
 * through the mapping: no lock and no system call per update.
 *	1. statedir_open_rw (missing: an empty file; untrusted: replaced by
 *	   an empty file); a file of exactly size bytes that passes check
 *	   is mapped and used;
 *	2. otherwise, under NAME.lock (statedir_lock), look again and, if
 *	   it is still not good, write a whole new file (init on a zeroed
 *	   buffer) and rename it over the name (statedir_write), then map
 *	   that one.  Processes that mapped an older file keep counting
 *	   into it; the next ones map the new file.
 * XXX wave 2: helper I's rate-limit table is a file of the same kind;
 * merge onto this module.
 */
#ifndef OSSIGN_STATEMAP_H
#define OSSIGN_STATEMAP_H

#include <stddef.h>

#include "statedir.h"

/* Lay out a new file in region (size bytes, zeroed); 0 or -1. */
typedef int	(*statemap_init_fn)(void *region, size_t size);
/* 1 when the mapped region (size bytes) holds a usable layout. */
typedef int	(*statemap_check_fn)(void *region, size_t size);

/*
 * Map name (size bytes, a multiple of the page size) of sd, as above.
 * Returns the shared mapping (statemap_close it), or NULL (logged: the
 * caller goes on without it).  Never truncates or rewrites a good file.
 */
void	*statemap_open(const struct statedir *sd, const char *name,
	    size_t size, statemap_init_fn init, statemap_check_fn check);

/* Unmap what statemap_open returned; NULL is fine. */
void	 statemap_close(void *map, size_t size);

#endif /* OSSIGN_STATEMAP_H */
