/*
 * netaddr: addresses and ranges as trusted_proxies and REMOTE_ADDR write
 * them, the client behind trusted proxies (X-Forwarded-For read from its
 * right end), and the rate-limit key of a client (IPv6 by its /64).
 */
#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "tap.h"

/* The key of the address s, or "(bad)". */
static const char *
key_of(const char *s)
{
	static char buf[NETADDR_KEY_LEN];
	struct netaddr a;

	if (netaddr_parse(s, strlen(s), &a) == -1)
		return "(bad)";
	netaddr_key(&a, buf);
	return buf;
}

/* The client for REMOTE_ADDR ra and X-Forwarded-For xff, as a key. */
static const char *
client(const char *ra, const char *xff, const char *trusted)
{
	static char buf[NETADDR_KEY_LEN], why[128];
	struct netaddr_cidr list[8];
	struct netaddr a;
	char copy[256], *w, *save = NULL;
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", trusted);
	for (w = strtok_r(copy, " ", &save); w != NULL && n < 8;
	    w = strtok_r(NULL, " ", &save))
		if (netaddr_cidr_parse(w, &list[n++], why, sizeof(why)) == -1)
			return why;
	if (netaddr_client(ra, xff, list, n, &a) == -1)
		return "(none)";
	netaddr_key(&a, buf);
	return buf;
}

static int
cidr_fails(const char *s)
{
	struct netaddr_cidr c;
	char why[128];

	return netaddr_cidr_parse(s, &c, why, sizeof(why)) == -1;
}

int
main(void)
{
	struct netaddr_cidr c;
	struct netaddr a;
	char why[128];

	tap_plan(34);

	/* ---- addresses ---- */
	is_str(key_of("192.0.2.1"), "a:192.0.2.1", "IPv4");
	is_str(key_of("::ffff:192.0.2.1"), "a:192.0.2.1",
	    "IPv4-mapped IPv6 is the IPv4 address");
	is_str(key_of("2001:db8:1:2:3:4:5:6"), "a:2001:db8:1:2::/64",
	    "IPv6 counts by its /64");
	is_str(key_of("fe80::1%eth0"), "a:fe80::/64", "an IPv6 zone is dropped");
	is_str(key_of("::1"), "a:::/64", "::1");
	ok(strcmp(key_of("192.0.2.01"), "(bad)") == 0 &&
	    strcmp(key_of("192.0.2"), "(bad)") == 0 &&
	    strcmp(key_of("1.2.3.4 "), "(bad)") == 0 &&
	    strcmp(key_of(""), "(bad)") == 0 &&
	    strcmp(key_of("192.0.2.1%x"), "(bad)") == 0 &&
	    strcmp(key_of("example.com"), "(bad)") == 0,
	    "leading zeros, short, blanks, empty, a zone on IPv4, names: "
	    "refused");

	/* ---- ranges ---- */
	ok(netaddr_cidr_parse("10.0.0.0/8", &c, why, sizeof(why)) == 0 &&
	    !c.net.v6 && c.bits == 8, "10.0.0.0/8");
	ok(netaddr_cidr_parse("192.0.2.7", &c, why, sizeof(why)) == 0 &&
	    c.bits == 32, "an address alone is /32");
	ok(netaddr_cidr_parse("2001:db8::/32", &c, why, sizeof(why)) == 0 &&
	    c.net.v6 && c.bits == 32, "2001:db8::/32");
	ok(netaddr_cidr_parse("::ffff:10.0.0.0/104", &c, why, sizeof(why)) ==
	    0 && !c.net.v6 && c.bits == 8, "a mapped range in IPv4 terms");
	ok(netaddr_cidr_parse("0.0.0.0/0", &c, why, sizeof(why)) == 0 &&
	    c.bits == 0, "/0 is everything");
	ok(cidr_fails("10.1.2.3/8") && cidr_fails("10.0.0.0/33") &&
	    cidr_fails("10.0.0.0/08") && cidr_fails("10.0.0.0/") &&
	    cidr_fails("10.0.0.0/-1") && cidr_fails("::/129") &&
	    cidr_fails("fe80::%eth0/64") && cidr_fails("::ffff:10.0.0.0/8"),
	    "host bits set, too long, leading zero, empty, sign, zone, a "
	    "mapped range too short: refused");
	ok(cidr_fails("2001:db8::1/64") && !cidr_fails("10.0.0.128/25") &&
	    cidr_fails("10.0.0.64/25") && cidr_fails("2001:db8:8000::/32") &&
	    !cidr_fails("2001:db8:8000::/33") &&
	    cidr_fails("::ffff:10.0.0.1/120") && !cidr_fails("::1/128"),
	    "host bits: the last bit, past an odd prefix, IPv6, mapped");
	netaddr_cidr_parse("10.0.0.0/8", &c, why, sizeof(why));
	netaddr_parse("10.200.1.1", 10, &a);
	ok(netaddr_in(&a, &c, 1), "10.200.1.1 in 10.0.0.0/8");
	netaddr_parse("11.0.0.1", 8, &a);
	ok(!netaddr_in(&a, &c, 1), "11.0.0.1 not in it");
	netaddr_cidr_parse("2001:db8:80::/41", &c, why, sizeof(why));
	netaddr_parse("2001:db8:ff::1", 14, &a);
	ok(netaddr_in(&a, &c, 1), "a /41 matches on its odd bit");
	netaddr_parse("2001:db8:7f::1", 14, &a);
	ok(!netaddr_in(&a, &c, 1), "and not past it");
	netaddr_parse("::ffff:10.0.0.1", 15, &a);
	netaddr_cidr_parse("10.0.0.0/8", &c, why, sizeof(why));
	ok(netaddr_in(&a, &c, 1), "a mapped address in an IPv4 range");

	/* ---- the client ---- */
	is_str(client("192.0.2.1", "198.51.100.9", ""), "a:192.0.2.1",
	    "no trusted proxies: X-Forwarded-For ignored");
	is_str(client("192.0.2.1", "198.51.100.9", "10.0.0.0/8"),
	    "a:192.0.2.1", "REMOTE_ADDR not a trusted proxy: ignored");
	is_str(client("10.0.0.5", "198.51.100.9", "10.0.0.0/8"),
	    "a:198.51.100.9", "from a trusted proxy: its entry");
	is_str(client("10.0.0.5", "203.0.113.66, 198.51.100.9", "10.0.0.0/8"),
	    "a:198.51.100.9", "the rightmost untrusted entry, not the forged "
	    "leftmost");
	is_str(client("10.0.0.5", "203.0.113.66, 198.51.100.9 , 10.9.9.9",
	    "10.0.0.0/8"), "a:198.51.100.9", "trusted hops skipped");
	is_str(client("10.0.0.5", "10.1.1.1,10.2.2.2", "10.0.0.0/8"),
	    "a:10.1.1.1", "only trusted hops: the leftmost");
	is_str(client("10.0.0.5", "198.51.100.9, junk", "10.0.0.0/8"),
	    "a:10.0.0.5", "a bad last entry: the proxy that added it");
	is_str(client("10.0.0.5", "junk, 10.1.1.1", "10.0.0.0/8"),
	    "a:10.1.1.1", "a bad entry past a trusted one: that hop");
	is_str(client("10.0.0.5", "198.51.100.9:4711", "10.0.0.0/8"),
	    "a:198.51.100.9", "IPv4:port");
	is_str(client("10.0.0.5", "[2001:db8::9]:443", "10.0.0.0/8"),
	    "a:2001:db8::/64", "[IPv6]:port");
	is_str(client("10.0.0.5", "2001:db8::9", "10.0.0.0/8"),
	    "a:2001:db8::/64", "bare IPv6");
	is_str(client("10.0.0.5", "[2001:db8::9]:x", "10.0.0.0/8"),
	    "a:10.0.0.5", "a bad port: refused");
	is_str(client("10.0.0.5", "", "10.0.0.0/8"), "a:10.0.0.5",
	    "an empty header: the proxy");
	is_str(client("10.0.0.5", NULL, "10.0.0.0/8"), "a:10.0.0.5",
	    "no header: the proxy");
	is_str(client(NULL, "198.51.100.9", "0.0.0.0/0"), "(none)",
	    "no REMOTE_ADDR: none");
	is_str(client("unix:", NULL, ""), "(none)",
	    "a REMOTE_ADDR that is no address: none");
	return tap_done();
}
