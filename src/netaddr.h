/*
 * Client addresses (issue 11): IPv4 and IPv6 addresses and the CIDR
 * ranges trusted_proxies lists, the client a request comes from
 * (REMOTE_ADDR, or X-Forwarded-For when REMOTE_ADDR is a trusted proxy),
 * and the text a rate limit counts a client by.  Pure (inet_pton and
 * inet_ntop, no lookups).
 *
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is the IPv4 address, so
 * one client is one client whichever socket family the web server used.
 */
#ifndef OSSIGN_NETADDR_H
#define OSSIGN_NETADDR_H

#include <stddef.h>

#include "limit.h"

struct netaddr {
	int		 v6;		/* 0: IPv4 in a[0..3]; 1: IPv6 */
	unsigned char	 a[16];
};

struct netaddr_cidr {
	struct netaddr	 net;		/* bits past the prefix are zero */
	unsigned int	 bits;		/* 0..32 or 0..128 */
};

/*
 * Parse an address as REMOTE_ADDR and configurations write it: dotted
 * IPv4 (inet_pton's strict form: four decimal parts, no leading zeros) or
 * IPv6 text, an IPv6 zone ("%eth0") dropped.  len bytes at s (need not be
 * NUL-terminated).  Returns 0 with out filled, or -1.
 */
int	 netaddr_parse(const char *s, size_t len, struct netaddr *out);

/*
 * Parse "ADDRESS" or "ADDRESS/BITS" (a trusted_proxies entry); an address
 * alone is one host.  Bits past the prefix must be zero (10.0.0.0/8, not
 * 10.1.2.3/8).  Returns 0, or -1 with the reason in why.
 */
int	 netaddr_cidr_parse(const char *s, struct netaddr_cidr *out,
	    char *why, size_t whylen);

/* 1 when a lies in one of the n ranges of list, else 0. */
int	 netaddr_in(const struct netaddr *a, const struct netaddr_cidr *list,
	    size_t n);

/*
 * The client of a request: remote_addr (REMOTE_ADDR) unless it lies in
 * trusted; then X-Forwarded-For (xff, NULL when absent) is read from its
 * right end, each hop a trusted proxy added: the first entry that is not
 * a trusted proxy is the client, an entry that does not parse ends the
 * walk at the proxy that added it (it is the client then), and a list of
 * nothing but trusted proxies gives its leftmost.  An entry may be
 * "[IPv6]", "[IPv6]:port" or "IPv4:port" as some proxies write them.
 * Returns 0 with out filled, or -1 when remote_addr is absent or does not
 * parse.
 */
int	 netaddr_client(const char *remote_addr, const char *xff,
	    const struct netaddr_cidr *trusted, size_t ntrusted,
	    struct netaddr *out);

/* Bytes netaddr_key writes at most, the NUL included. */
#define NETADDR_KEY_LEN	64

/*
 * What a rate limit counts a on: "a:" and the IPv4 address, or "a:" and
 * the address's /64 prefix for IPv6 ("a:2001:db8:1:2::/64"), since one
 * IPv6 host commonly holds a whole /64.  buf holds NETADDR_KEY_LEN bytes.
 */
void	 netaddr_key(const struct netaddr *a, char *buf);

#endif /* OSSIGN_NETADDR_H */
