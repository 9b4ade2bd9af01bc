/*
 * Client addresses and the lists that allow them (metrics_allow; issue 11):
 * "ADDRESS" or "ADDRESS/PREFIX", IPv4 or IPv6, parsed once at load, and
 * REMOTE_ADDR checked against them per request.  Pure.
 * XXX wave 2: helper I's trusted_proxies is the same kind of list; merge
 * onto this module.
 */
#ifndef OSSIGN_NETADDR_H
#define OSSIGN_NETADDR_H

#include <stddef.h>

/* One network: family 4 or 6, the address bytes, the prefix length. */
struct netaddr {
	int		 family;	/* 4 or 6 */
	unsigned char	 addr[16];	/* 4 or 16 bytes used */
	unsigned int	 prefix;	/* 0..32 or 0..128 */
};

/*
 * Parse "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8" into *out.  Refused
 * (-1): anything inet_pton does not read, a prefix out of range or with
 * leading zeros or signs, host bits set below the prefix ("10.0.0.1/8":
 * say what is meant).  Returns 0 or -1.
 */
int	 netaddr_parse(const char *s, struct netaddr *out);

/*
 * 1 when addr (REMOTE_ADDR as a web server passes it: IPv4, IPv6, an IPv6
 * zone "%eth0" ignored, an IPv4-mapped IPv6 "::ffff:a.b.c.d" read as the
 * IPv4 address) is in one of the n networks of set; 0 otherwise, and for
 * NULL or anything that is not an address.
 */
int	 netaddr_match(const struct netaddr *set, size_t n, const char *addr);

/* The loopback networks, 127.0.0.0/8 and ::1 (metrics_allow's default). */
extern const struct netaddr netaddr_loopback[2];

#endif /* OSSIGN_NETADDR_H */
