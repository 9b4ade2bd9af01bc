/* netaddr: addresses and networks parsed strictly, REMOTE_ADDR matched. */
#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "tap.h"

/* 1 when s parses; then *n holds it. */
static int
parses(const char *s, struct netaddr *n)
{
	return netaddr_parse(s, n) == 0;
}

int
main(void)
{
	static const char *const bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
		"10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0/8 ", " 10.0.0.0",
		"10.0.0.1/8", "10.0.0", "10.0.0.256", "010.0.0.1",
		"::1/129", "fd00::1/8", "::1%lo", "localhost", "1.2.3.4/32/1",
		"10.0.0.0/8x", "ffff::/1",
	};
	struct netaddr set[4], n;
	size_t i;
	int nbad = 0;

	tap_plan(12);
	ok(parses("127.0.0.1", &n) && n.family == 4 && n.prefix == 32,
	    "an IPv4 address is a /32");
	ok(parses("::1", &n) && n.family == 6 && n.prefix == 128,
	    "an IPv6 address is a /128");
	ok(parses("10.0.0.0/8", &n) && n.prefix == 8 && n.addr[0] == 10,
	    "an IPv4 network");
	ok(parses("0.0.0.0/0", &n) && n.prefix == 0 && parses("::/0", &n),
	    "/0 of each family");
	ok(parses("fd00::/8", &n) && n.family == 6 && n.prefix == 8 &&
	    parses("2001:db8::/32", &n) && parses("10.1.128.0/17", &n),
	    "IPv6 networks, a prefix off a byte boundary");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parses(bad[i], &n)) {
			printf("# accepted: \"%s\"\n", bad[i]);
			nbad++;
		}
	ok(nbad == 0, "%zu malformed or host-bit entries refused",
	    sizeof(bad) / sizeof(bad[0]));

	parses("10.1.128.0/17", &set[0]);
	parses("192.0.2.7", &set[1]);
	parses("2001:db8::/32", &set[2]);
	ok(netaddr_match(set, 3, "10.1.200.1") &&
	    !netaddr_match(set, 3, "10.1.127.255") &&
	    netaddr_match(set, 3, "192.0.2.7") &&
	    !netaddr_match(set, 3, "192.0.2.70"),
	    "IPv4: inside and just outside a /17, an exact address");
	ok(netaddr_match(set, 3, "2001:db8:1::5") &&
	    !netaddr_match(set, 3, "2001:db9::5") &&
	    netaddr_match(set, 3, "2001:db8::1%eth0"),
	    "IPv6: a /32, a zone ignored");
	ok(netaddr_match(set, 3, "::ffff:192.0.2.7") &&
	    !netaddr_match(set, 3, "::192.0.2.7"),
	    "an IPv4-mapped IPv6 address is its IPv4 address");
	ok(!netaddr_match(set, 3, NULL) && !netaddr_match(set, 3, "") &&
	    !netaddr_match(set, 3, "unix:") &&
	    !netaddr_match(set, 3, "10.1.200.1 ") &&
	    !netaddr_match(set, 0, "10.1.200.1"),
	    "no address, garbage, an empty set: no match");
	ok(netaddr_match(netaddr_loopback, 2, "127.0.0.1") &&
	    netaddr_match(netaddr_loopback, 2, "127.255.255.254") &&
	    netaddr_match(netaddr_loopback, 2, "::1") &&
	    netaddr_match(netaddr_loopback, 2, "::ffff:127.0.0.1"),
	    "loopback: 127.0.0.0/8, ::1, mapped");
	ok(!netaddr_match(netaddr_loopback, 2, "128.0.0.1") &&
	    !netaddr_match(netaddr_loopback, 2, "::2") &&
	    !netaddr_match(netaddr_loopback, 2, "0.0.0.0"),
	    "loopback: nothing else");
	return tap_done();
}
